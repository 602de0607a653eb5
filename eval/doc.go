// Package eval scores code models: text metrics of completions against the
// real function bodies of held-out dataset records (syntax validity, BLEU-4,
// exact match, edit similarity), perplexity, latency, and execution-based
// correctness (pass@k) of HumanEval-format tasks run in a sandbox. Results are
// a Report, written as eval.json plus a Markdown scorecard.
//
// The model is reached through small interfaces declared here (Generator,
// Scorer, SyntaxChecker), so the metric code runs without an engine; the CLI
// adapts the engine bindings to them.
//
//	rep, err := eval.Records(ctx, recs, gen, eval.RecordOptions{MaxTokens: 256})
package eval
