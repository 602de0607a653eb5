package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/bindings"
)

func modelsQuantizeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "quantize",
		Usage:     "write a model's weights in another type (f16, q8_0, q4_k_m, ...)",
		ArgsUsage: "IN.gguf OUT.gguf",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "type", Value: "q8_0", Usage: "target type: " + strings.Join(bindings.QuantTypes(), ", ")},
			&ucli.IntFlag{Name: "threads", Aliases: []string{"t"}, Usage: "CPU threads", DefaultText: "the free physical cores"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 2 {
				return usageError("models quantize: want IN.gguf OUT.gguf, got %d arguments", c.NArg())
			}
			in, out := c.Args().Get(0), c.Args().Get(1)
			start := time.Now()
			if err := bindings.Quantize(in, out, c.String("type"), c.Int("threads")); err != nil {
				return err
			}
			before, _ := os.Stat(in)
			after, err := os.Stat(out)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %s (%s, %s -> %s) in %s\n", out, c.String("type"),
				humanBytes(before.Size()), humanBytes(after.Size()), time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
}
