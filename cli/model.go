package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/train"
)

func modelCommand() *ucli.Command {
	return &ucli.Command{
		Name:        "model",
		Usage:       "make models from scratch",
		Subcommands: []*ucli.Command{modelInitCommand()},
	}
}

func modelInitCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "init",
		Usage: "train a byte-level BPE tokenizer on a dataset and write a llama model with random weights",
		Description: "The model is then trained with `codeloom train --full --base OUT`. The tokenizer learns from the\n" +
			"dataset's train split and is deterministic; weights are random with std 0.02 (projections into the\n" +
			"residual stream further divided by sqrt(2·layers)).",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "data", Usage: "dataset folder", Required: true},
			&ucli.StringFlag{Name: "out", Usage: "model GGUF to write, e.g. models/NAME/model.gguf", Required: true},
			&ucli.StringFlag{Name: "name", Value: "codeloom-scratch", Usage: "model name (general.name)"},
			&ucli.IntFlag{Name: "vocab", Value: 4096, Usage: "tokenizer size"},
			&ucli.IntFlag{Name: "layers", Value: 4, Usage: "transformer layers"},
			&ucli.IntFlag{Name: "dim", Value: 256, Usage: "embedding width"},
			&ucli.IntFlag{Name: "heads", Value: 4, Usage: "attention heads"},
			&ucli.IntFlag{Name: "kv-heads", Usage: "key/value heads", DefaultText: "--heads"},
			&ucli.IntFlag{Name: "ff", Usage: "feed-forward width", DefaultText: "8/3 of --dim, rounded up to 32"},
			&ucli.IntFlag{Name: "ctx", Value: 512, Usage: "context length"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the random weights"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usageError("model init takes no arguments (got %q)", c.Args().Slice())
			}
			cfg := train.InitConfig{Data: c.String("data"), Out: c.String("out"), Name: c.String("name"),
				Vocab: c.Int("vocab"), Layers: c.Int("layers"), Dim: c.Int("dim"), Heads: c.Int("heads"),
				HeadsKV: c.Int("kv-heads"), FF: c.Int("ff"), Ctx: c.Int("ctx"), Seed: c.Uint64("seed")}
			res, err := train.InitModel(c.Context, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %s: %d parameters, %d-token vocabulary learned from %d functions\n",
				cfg.Out, res.Parameters, res.Vocab, res.Records)
			return nil
		},
	}
}
