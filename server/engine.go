package server

import (
	"context"
	"errors"
	"time"
)

// ErrPromptTooLong is returned by Context.Generate and Context.Score (wrapped
// or as is) when the prompt does not fit the context window.
var ErrPromptTooLong = errors.New("prompt longer than the context window")

// Engine loads models from GGUF files. The server calls it only from the
// goroutine that loads a model, never twice at once for the same path.
type Engine interface {
	LoadModel(path string) (Model, error)
}

// Model is a loaded base model. It is shared by all requests; its Contexts
// serve one request at a time each.
type Model interface {
	Info() ModelInfo
	NewContext() (Context, error)
	LoadAdapter(path string) (Adapter, error)
	// ChatPrompt renders chat messages with the model's chat template,
	// ending with the opening of the assistant's turn.
	ChatPrompt(msgs []ChatMessage) (string, error)
	Close()
}

// Context is one inference context: a KV cache and its sampler state. It is
// not safe for concurrent use.
type Context interface {
	// SetAdapter applies a LoRA adapter (nil clears it) from the next call on.
	SetAdapter(a Adapter, scale float32)
	Generate(ctx context.Context, prompt string, opt GenerateOptions) (Generation, error)
	// Score returns log p(continuation | prompt) summed over the
	// continuation's tokens, and how many tokens that was.
	Score(ctx context.Context, prompt, continuation string) (logProb float64, tokens int, err error)
	// Size is the context window in tokens.
	Size() int
	Close()
}

// Adapter is a LoRA adapter loaded for one Model.
type Adapter interface {
	Close()
}

// ModelInfo describes a loaded model.
type ModelInfo struct {
	Architecture  string `json:"architecture"`
	Params        int64  `json:"parameters"`
	ContextLength int    `json:"context_length"`
	FileType      string `json:"quantization"`
	ChatTemplate  bool   `json:"chat_template"`
}

// ChatMessage is one turn of a conversation.
type ChatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Sampling holds the sampler settings of one request. Temperature 0 is
// greedy; Seed < 0 draws a random seed.
type Sampling struct {
	Temperature   float32
	TopP          float32
	MinP          float32
	RepeatPenalty float32
	TopK          int
	Seed          int64
}

// GenerateOptions are the settings of one generation.
type GenerateOptions struct {
	Sampling
	MaxTokens int
	Stop      []string
	// OnPiece receives the text as it is generated; an error stops the
	// generation and is returned by Generate.
	OnPiece func(text string) error
}

// Finish reasons of a Generation.
const (
	FinishStop      = "stop"
	FinishLength    = "length"
	FinishCancelled = "cancelled"
)

// Generation is the result of one generation.
type Generation struct {
	Text             string
	FinishReason     string
	PromptTokens     int
	CompletionTokens int
	TTFT             time.Duration
	PromptTPS        float64
	GenTPS           float64
}
