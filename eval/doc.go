// Package eval scores code models: text metrics of completions against the
// real function bodies of held-out dataset records (syntax validity, BLEU-4,
// exact match, edit similarity), perplexity, latency, and execution-based
// correctness (pass@k) of HumanEval-format tasks run in a sandbox (package
// eval/sandbox). Results are a Report, written as eval.json, a Markdown
// scorecard and a samples file.
//
// The model is reached through the small LM interface declared here over the
// llm package's types, so the metric code runs without an engine; the CLI
// and the pipeline pass an engine context (a bindings.Session's) in.
// Compare is the whole session: the tuned model and its base on one
// context, switching the adapter (WithAdapter), then the scorecard.
//
//	recs, err := eval.HeldOut(ctx, "datasets/go", "validation", 200)
//	rep, err := eval.Compare(ctx, eval.CompareOptions{Context: s.Context, Adapter: s.Adapter, Scale: 1,
//		Compare: true, Config: eval.Config{Records: recs}, Out: "models/mine"})
package eval
