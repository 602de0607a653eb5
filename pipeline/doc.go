// Package pipeline is the one-command workflow, `codeloom pipeline`: from a
// YAML config (Load, or the embedded Default) it plans the steps (extract,
// analyze, the base model, train, eval, sample), runs those that are not
// up to date by their settings and input hashes, records each finished step
// in its state file so a killed run resumes where it stopped, and can serve
// the result. The steps call the phase packages (extract, analysis, train,
// eval, hub, server) directly; the caller passes only where text goes and
// how progress is drawn.
//
//	cfg, err := pipeline.Load("codeloom.yaml")
//	err = pipeline.Run(ctx, cfg, pipeline.Options{Tool: "codeloom v0.3.0", Log: os.Stdout})
//
// docs/pipeline.md describes the config keys and the files each step makes.
package pipeline
