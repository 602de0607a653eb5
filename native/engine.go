package native

// Importing the engine's cgo packages compiles libllama and ggml (base + CPU
// backend) into the binary; nothing else of that module is used.
import (
	_ "github.com/ollama/ollama/llama/llama.cpp/src"
	_ "github.com/ollama/ollama/ml/backend/ggml/ggml/src"
)
