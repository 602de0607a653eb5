// Package native is codeloom's own C/C++ over llama.cpp and ggml: the
// generation loop, scoring and LoRA training. It has no Go API; package
// bindings calls its C functions (declared in the *.h files here).
//
// Importing the engine's cgo packages compiles libllama and ggml (base + CPU
// backend) into the binary. Headers come from the same module through the
// .engine link that `make setup` creates.
package native

/*
#cgo CPPFLAGS: -I${SRCDIR}/../.engine/llama/llama.cpp/include -I${SRCDIR}/../.engine/llama/llama.cpp/src
#cgo CPPFLAGS: -I${SRCDIR}/../.engine/ml/backend/ggml/ggml/include
#cgo CXXFLAGS: -std=c++17
*/
import "C"

import (
	_ "github.com/ollama/ollama/llama/llama.cpp/src"
	_ "github.com/ollama/ollama/ml/backend/ggml/ggml/src"
)
