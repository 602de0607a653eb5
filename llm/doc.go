// Package llm is the vocabulary spoken between codeloom's engine and the
// code that uses it, in the way database/sql/driver sits between database/sql
// and a driver: model info, sampling and generation options, a generation's
// result and timings, scores, chat messages, finish reasons and the typed
// errors. It is pure Go and has no engine in it.
//
// The bindings package (the only cgo package) takes and returns these types
// directly; server, eval and train declare the small interfaces they need
// over them, and main wires bindings in:
//
//	g, err := c.Generate(ctx, "func main() {", llm.GenerateOptions{MaxTokens: 64})
//	if errors.Is(err, llm.ErrPromptTooLong) { ... }
//	fmt.Print(g.Text, g.FinishReason)
package llm
