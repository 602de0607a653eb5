package pipeline

import "context"

// Phases are the packages that do the work of each step. The pipeline
// itself holds only the order, the settings and the bookkeeping; package
// pipeline/phases wires in the real ones and tests give it fakes. Threads
// is the engine's thread count (0 = automatic).
type Phases struct {
	Extract  Extractor
	Analyze  Analyzer
	MakeTiny TinyMaker
	Pull     Puller
	Train    Trainer
	Eval     Evaluator
	Generate Generator
	Serve    Server
}

// Extractor makes a dataset folder from sources.
type Extractor interface {
	Extract(ctx context.Context, sources []string, out string, opt ExtractConfig) error
}

// Analyzer writes a dataset's statistics as JSON and as an HTML report.
type Analyzer interface {
	Analyze(ctx context.Context, dataset, jsonPath, htmlPath string) error
}

// TinyMaker trains a tokenizer and a small model from scratch on a dataset,
// writing modelstore.ModelFile into dir; with resume it continues an interrupted
// training from its checkpoint.
type TinyMaker interface {
	MakeTiny(ctx context.Context, dataset, dir string, opt TinyConfig, threads int, resume bool) error
}

// Puller downloads hf://OWNER/REPO/FILE into dir and returns its path.
type Puller interface {
	Pull(ctx context.Context, ref, dir string) (string, error)
}

// Trainer trains a LoRA adapter of base on a dataset, writing modelstore.AdapterFile
// (and its records) into modelDir; with resume it continues an interrupted
// training from its checkpoint.
type Trainer interface {
	Train(ctx context.Context, base, dataset, modelDir string, opt TrainConfig, threads int, resume bool) error
}

// Evaluator scores base and base+adapter on the dataset's validation split
// and writes the scorecard (modelstore.EvalFile and its companions) into dir.
type Evaluator interface {
	Eval(ctx context.Context, base, adapter, dataset, dir string, opt EvalConfig, threads int) error
}

// Generator completes a prompt; adapter may be "".
type Generator interface {
	Generate(ctx context.Context, base, adapter, prompt string, maxTokens, threads int) (string, error)
}

// Server serves the model store until ctx is cancelled.
type Server interface {
	Serve(ctx context.Context, modelsDir, addr string, threads int) error
}
