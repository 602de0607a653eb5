package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/extract"
	"github.com/codeloom/codeloom/hub"
	"github.com/codeloom/codeloom/pipeline"
	"github.com/codeloom/codeloom/train"
)

func pipelineCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "pipeline",
		Usage: "run extract → analyze → train → eval (→ serve) in one go, skipping steps that are up to date",
		Description: "Without --config, runs the embedded default: offline, on code already on this machine (a few\n" +
			"packages of the Go toolchain's sources and this repository), a tiny model made from scratch,\n" +
			"LoRA fine-tuning, base-versus-tuned evaluation and a generated sample. A step whose settings and\n" +
			"inputs are unchanged since it last finished is skipped, so a killed run resumes where it stopped.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "YAML config; keys it leaves out keep their defaults"},
			&ucli.BoolFlag{Name: "print-config", Usage: "print the default config (every key, commented) and exit"},
			&ucli.BoolFlag{Name: "serve", Usage: "serve the model store when done (as serve.enabled: true)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usageError("pipeline takes no arguments (got %q); name a config with --config", c.Args().First())
			}
			if c.Bool("print-config") {
				_, err := c.App.Writer.Write(pipeline.DefaultYAML)
				return err
			}
			cfg := pipeline.Default()
			if path := c.String("config"); path != "" {
				var err error
				if cfg, err = pipeline.Load(path); err != nil {
					return usageError("config %v", err)
				}
			}
			if c.Bool("serve") {
				cfg.Serve.Enabled = true
			}
			spareProcessor(0) // for the extract step's parsing workers
			return pipeline.Run(c.Context, cfg, pipeline.Options{Tool: "codeloom " + Version, Log: c.App.Writer, Display: pipelineDisplay(c)})
		},
	}
}

// pipelineDisplay draws each step's progress as its single command does.
func pipelineDisplay(c *ucli.Context) pipeline.Display {
	return pipeline.Display{
		Extract: func(p *extract.Progress) func() { return showProgress(c, p) },
		Extracted: func(out string, m *dataset.Manifest) {
			// Its error, that every source failed, is the pipeline's own.
			_ = reportExtract(c.App.Writer, c.App.ErrWriter, out, m)
		},
		Download: func(name string) hub.Progress { return byteProgress(c, name) },
		Train: func() (func(train.Event), func()) {
			p := newTrainProgress(c.App.ErrWriter)
			return p.event, p.done
		},
		Eval: func() func(string, int, int) { return stageProgress(c) },
	}
}
