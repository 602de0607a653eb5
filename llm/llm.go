package llm

import "errors"

// ErrPromptTooLong is returned (wrapped) when a prompt, or a text to score,
// does not fit the context.
var ErrPromptTooLong = errors.New("prompt does not fit the context")

// ErrInvalidOption is returned (wrapped) when an option is well-formed but
// the model cannot use it: a grammar that does not parse, a logit bias on
// a token the vocabulary lacks.
var ErrInvalidOption = errors.New("invalid option for this model")

// ErrNoFIM is returned (wrapped) by fill-in-the-middle on a model whose
// vocabulary has no prefix, suffix and middle tokens.
var ErrNoFIM = errors.New("the model has no fill-in-the-middle tokens")

// ModelInfo describes a model.
type ModelInfo struct {
	Name            string `json:"name"`
	Architecture    string `json:"architecture"`
	Description     string `json:"description"` // the engine's one-line summary, e.g. "llama 260K all F32"
	Params          int64  `json:"params"`
	SizeBytes       int64  `json:"size_bytes"`
	ContextLength   int    `json:"context_length"`
	EmbeddingLength int    `json:"embedding_length"`
	Layers          int    `json:"layers"`
	Heads           int    `json:"heads"`
	HeadsKV         int    `json:"heads_kv"`
	VocabSize       int    `json:"vocab_size"`
	FileType        string `json:"file_type"`
	ChatTemplate    string `json:"chat_template,omitempty"`
}

// ChatMessage is one turn of a chat.
type ChatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Adapter is a LoRA adapter that an engine loaded for one of its models.
// Only that engine can apply it: a context of the bindings package takes the
// adapters that package loads.
type Adapter interface {
	Close()
}
