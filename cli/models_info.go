package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/bindings"
)

func modelsInfoCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "info",
		Usage:     "show a GGUF model's architecture, size, context and vocabulary, or an adapter's rank and targets",
		ArgsUsage: "MODEL.gguf|ADAPTER.gguf",
		Flags:     []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usageError("models info: want one MODEL.gguf, got %d arguments", c.NArg())
			}
			// The engine loads only models; an adapter is described from
			// its header.
			if h, err := readGGUFHeader(c.Args().First()); err == nil && h.Kind == "adapter" {
				return printAdapterInfo(c, h)
			}
			m, err := bindings.LoadModel(c.Args().First(), bindings.ModelParams{})
			if err != nil {
				return err
			}
			defer m.Close()
			info := m.Info()
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			w := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
			row := func(k string, v any) { fmt.Fprintf(w, "%s\t%v\n", k, v) }
			row("name", info.Name)
			row("architecture", info.Architecture)
			row("description", info.Description)
			row("parameters", info.Params)
			row("size", humanBytes(info.SizeBytes))
			row("file type", info.FileType)
			row("context length", info.ContextLength)
			row("embedding length", info.EmbeddingLength)
			row("layers", info.Layers)
			row("heads (kv)", fmt.Sprintf("%d (%d)", info.Heads, info.HeadsKV))
			row("vocabulary", info.VocabSize)
			if info.ChatTemplate != "" {
				row("chat template", fmt.Sprintf("%d characters", len(info.ChatTemplate)))
			}
			return w.Flush()
		},
	}
}

func printAdapterInfo(c *ucli.Context, h *ggufHeader) error {
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(h)
	}
	w := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(w, "%s\t%v\n", k, v) }
	row("kind", "LoRA adapter")
	writeHeader(row, h)
	return w.Flush()
}
