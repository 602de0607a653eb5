// Package train runs training on codeloom's own graph in the engine
// (bindings.Trainer): a LoRA adapter on a base model, or every weight of a
// small model (Full). It turns a dataset into samples of the configured
// format (completion, instruct, fim, or instruction, chat and text data),
// packs them into windows, and runs the schedule with validation, early
// stopping, checkpoints (Ctrl-C saves one; Resume continues), metrics.jsonl
// and TensorBoard events, writing adapter.gguf (or model.gguf) and
// train.json into the run folder. InitModel makes a model from scratch
// around a BPE tokenizer trained on the data; MergeAdapter folds an adapter
// into its base.
//
//	res, err := train.Run(ctx, train.Config{Base: "models/base.gguf", Data: "datasets/go", Out: "models/go-lora"}, nil)
//
// docs/train.md describes the command, the data shapes and what is scored.
package train
