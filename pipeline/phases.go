package pipeline

import (
	"context"
	"io"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/extract"
	"github.com/codeloom/codeloom/hub"
	"github.com/codeloom/codeloom/train"
)

// Options are what a run needs besides its config.
type Options struct {
	// Tool names the program and its version in the dataset manifest and
	// the scorecard, e.g. "codeloom v0.3.0".
	Tool string
	// Log receives the steps' lines, the phases' summaries and, at the
	// end, the artifacts and the sample; nil discards them.
	Log io.Writer
	// Display draws the phases' progress while they run; its zero value
	// draws nothing.
	Display Display
}

// Display draws the progress of the phases; the CLI provides it. A nil
// field draws nothing for that phase.
type Display struct {
	// Extract shows an extraction's counters while it runs, until stop.
	Extract func(p *extract.Progress) (stop func())
	// Extracted shows what an extraction made into out and which sources
	// failed.
	Extracted func(out string, m *dataset.Manifest)
	// Download returns the progress callback of the download of name.
	Download func(name string) hub.Progress
	// Train returns the event callback of one training run and done,
	// called when the run ends.
	Train func() (event func(train.Event), done func())
	// Eval returns the progress callback of one evaluation.
	Eval func() func(stage string, done, total int)
}

// phases are the calls the steps make into the phase packages. Run sets
// them to the real ones (see phaseCalls); the tests of the pipeline's
// ordering, skipping and resuming set fakes. threads is the engine's
// thread count (0 = automatic).
type phases struct {
	// extract makes a dataset folder from sources.
	extract func(ctx context.Context, sources []string, out string, opt ExtractConfig) error
	// analyze writes a dataset's statistics as JSON and as an HTML report.
	analyze func(ctx context.Context, dataset, jsonPath, htmlPath string) error
	// makeTiny trains a tokenizer and a small model from scratch on a
	// dataset, writing modelstore.ModelFile into dir; with resume it
	// continues an interrupted training from its checkpoint.
	makeTiny func(ctx context.Context, dataset, dir string, opt TinyConfig, threads int, resume bool) error
	// pull downloads hf://OWNER/REPO/FILE into dir and returns its path.
	pull func(ctx context.Context, ref, dir string) (string, error)
	// train trains a LoRA adapter of base on a dataset, writing
	// modelstore.AdapterFile (and its records) into modelDir; with resume
	// it continues an interrupted training from its checkpoint.
	train func(ctx context.Context, base, dataset, modelDir string, opt TrainConfig, threads int, resume bool) error
	// eval scores base and base+adapter on the dataset's validation split
	// and writes the scorecard (modelstore.EvalFile and its companions)
	// into dir.
	eval func(ctx context.Context, base, adapter, dataset, dir string, opt EvalConfig, threads int) error
	// generate completes a prompt; adapter may be "".
	generate func(ctx context.Context, base, adapter, prompt string, maxTokens, threads int) (string, error)
	// serve serves the model store until ctx is cancelled.
	serve func(ctx context.Context, modelsDir, addr string, threads int) error
}

// phaseCalls returns the real phases: the phase packages, called with the
// settings the single commands use, reporting to opt's log and display.
func phaseCalls(opt Options) phases {
	c := calls{opt}
	return phases{extract: c.extract, analyze: c.analyze, makeTiny: c.makeTiny, pull: c.pull, train: c.train,
		eval: c.eval, generate: c.generate, serve: c.serve}
}

// calls implements the phases with the phase packages.
type calls struct{ opt Options }
