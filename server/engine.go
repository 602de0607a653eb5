package server

import (
	"context"

	"github.com/codeloom/codeloom/llm"
)

// The server runs models through these interfaces over the llm package's
// types; main wires in an implementation (package server/engine, over
// bindings), whose contexts are the engine's own.

// Engine loads models from GGUF files. The server calls it only from the
// goroutine that loads a model, never twice at once for the same path.
type Engine interface {
	LoadModel(path string) (Model, error)
}

// Model is a loaded base model. It is shared by all requests; its Contexts
// serve one request at a time each.
type Model interface {
	Info() llm.ModelInfo
	NewContext() (Context, error)
	LoadAdapter(path string) (llm.Adapter, error)
	// ApplyNamedChatTemplate renders chat messages with the engine's
	// built-in template of that name, or the model's own for "";
	// addAssistant ends with the opening of the assistant's turn.
	ApplyNamedChatTemplate(name string, msgs []llm.ChatMessage, addAssistant bool) (string, error)
	// Tokenize, Detokenize and Piece convert between text and token ids;
	// Detokenize and Piece need ids below NumTokens.
	Tokenize(text string, addSpecial bool) ([]int32, error)
	Detokenize(tokens []int32) string
	Piece(token int32) []byte
	NumTokens() int
	// Embed returns one unit-length, mean-pooled embedding per text and
	// the texts' token count.
	Embed(ctx context.Context, texts []string) ([][]float32, int, error)
	Close()
}

// Context is one inference context: a KV cache and its sampler state. It is
// not safe for concurrent use. Generate and Score return errors that wrap
// llm.ErrPromptTooLong when the prompt does not fit.
type Context interface {
	// SetAdapter applies an adapter of this context's model (nil clears
	// it) from the next call on.
	SetAdapter(a llm.Adapter, scale float32)
	// Generate returns the partial generation with the error when ctx is
	// cancelled or OnPiece fails, and nil with other errors.
	Generate(ctx context.Context, prompt string, opt llm.GenerateOptions) (*llm.Generation, error)
	// Infill generates what goes between prefix and suffix with the
	// model's fill-in-the-middle tokens, failing with an error wrapping
	// llm.ErrNoFIM when it has none; otherwise as Generate.
	Infill(ctx context.Context, prefix, suffix string, opt llm.GenerateOptions) (*llm.Generation, error)
	// Score returns log p(continuation | prompt) summed over the
	// continuation's tokens, and how many tokens that was.
	Score(ctx context.Context, prompt, continuation string) (llm.Score, error)
	// Size is the context window in tokens.
	Size() int
	Close()
}
