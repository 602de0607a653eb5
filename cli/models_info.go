package cli

import (
	"fmt"

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
			return printRecord(c, info, func(row func(string, any)) error {
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
				return nil
			})
		},
	}
}

func printAdapterInfo(c *ucli.Context, h *ggufHeader) error {
	return printRecord(c, h, func(row func(string, any)) error {
		row("kind", "LoRA adapter")
		writeHeader(row, h)
		return nil
	})
}
