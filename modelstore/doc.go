// Package modelstore owns the model store: the folder of trained and
// downloaded models that `codeloom train`, `codeloom eval`, the pipeline and
// `codeloom serve` share. It knows the store's layout and file names, and
// reads and writes the typed records train.json, eval.json and
// defaults.json, each atomically (a killed run leaves the old file or the
// new one).
//
// The layout of a store DIR:
//
//	DIR/NAME.gguf             base model NAME
//	DIR/NAME/model.gguf       base model NAME (or a model trained from scratch)
//	DIR/NAME/adapter.gguf     LoRA adapter NAME
//	DIR/NAME/base             the adapter's base: a model name in the store or a GGUF path
//	DIR/NAME/train.json       the training run's record (Train)
//	DIR/NAME/eval.json        the evaluation's record (Eval)
//	DIR/NAME/defaults.json    generation settings serve uses when a request omits them (Defaults)
//	DIR/NAME/checkpoints/     the training run's checkpoints
//
// A typical use:
//
//	t, err := modelstore.ReadTrain(filepath.Join(dir, name))
//	base := modelstore.BaseRef(filepath.Join(dir, name)) // "" when unknown
package modelstore

// File and folder names inside a model's folder.
const (
	ModelFile      = "model.gguf"
	AdapterFile    = "adapter.gguf"
	BaseFile       = "base"
	TrainFile      = "train.json"
	EvalFile       = "eval.json"
	DefaultsFile   = "defaults.json"
	CheckpointsDir = "checkpoints"
)
