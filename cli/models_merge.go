package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/train"
)

func modelsMergeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "merge",
		Usage:     "fold a LoRA adapter into its base model's weights",
		ArgsUsage: "BASE.gguf ADAPTER.gguf OUT.gguf",
		Description: "Writes W + scale·(alpha/r)·B·A for every adapted tensor, in the base's type (F32, F16, BF16, Q8_0\n" +
			"or Q4_0), and copies everything else. --type then quantizes the merged model (from an F32/F16/BF16 base).",
		Flags: []ucli.Flag{
			&ucli.Float64Flag{Name: "scale", Value: 1, Usage: "adapter scale, as llama.cpp's --lora-scaled"},
			&ucli.StringFlag{Name: "type", Usage: "quantize the merged model: " + strings.Join(bindings.QuantTypes(), ", ")},
			&ucli.IntFlag{Name: "threads", Aliases: []string{"t"}, Usage: "CPU threads for --type", DefaultText: "the free physical cores"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 3 {
				return usageError("models merge: want BASE.gguf ADAPTER.gguf OUT.gguf, got %d arguments", c.NArg())
			}
			base, adapter, out := c.Args().Get(0), c.Args().Get(1), c.Args().Get(2)
			typ := c.String("type")
			target := out
			if typ != "" {
				tmp, err := os.MkdirTemp(filepath.Dir(out), ".merge-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				target = filepath.Join(tmp, "merged.gguf")
			}
			if err := train.MergeAdapter(c.Context, base, adapter, target, float32(c.Float64("scale"))); err != nil {
				return err
			}
			if typ != "" {
				if err := bindings.Quantize(target, out, typ, c.Int("threads")); err != nil {
					return err
				}
			}
			fmt.Fprintf(c.App.Writer, "wrote %s\n", out)
			return nil
		},
	}
}
