// Package eval scores code models: text metrics of completions against the
// real function bodies of held-out dataset records (syntax validity, BLEU-4,
// exact match, edit similarity), perplexity, latency, and execution-based
// correctness (pass@k) of HumanEval-format tasks run in a sandbox (package
// eval/sandbox). Results are a Report, written as eval.json, a Markdown
// scorecard and a samples file.
//
// The model is reached through the small LM interface declared here over the
// llm package's types, so the metric code runs without an engine; the CLI
// passes an engine context (*bindings.Context) through WithAdapter.
//
//	lm := eval.WithAdapter(c, adapter, 1)
//	run, err := eval.Evaluate(ctx, "adapter", lm, eval.Config{Records: recs, Tasks: tasks, Samples: 10})
//	rep := &eval.Report{Runs: []*eval.Run{run}}
//	err = rep.Write("models/mine")
package eval
