// Package phases connects the pipeline's steps to the packages that do the
// work: extract, analysis, tokenizer and train, eval, bindings, server and
// hub. Package pipeline stays free of them (and of cgo), so its runner is
// tested with fakes; the command line wires these in.
//
//	err := pipeline.Run(ctx, cfg, phases.New(os.Stderr), os.Stderr)
package phases

import (
	"io"

	"github.com/codeloom/codeloom/pipeline"
)

// New returns the real phases; progress goes to log.
func New(log io.Writer) pipeline.Phases {
	return pipeline.Phases{
		Extract:  missing("extract"),
		Analyze:  analyzer{log: log},
		MakeTiny: missing("tiny model training"),
		Pull:     puller{log: log},
		Train:    missing("LoRA training"),
		Eval:     missing("evaluation"),
		Generate: generator{},
		Serve:    missing("serving"),
	}
}
