// Package gguf reads and writes GGUF files, the model format of llama.cpp and
// ggml, in pure Go.
//
// Reading validates the whole header before anything is used, so a malformed
// or truncated file gives an error, never a panic:
//
//	f, err := gguf.Open("model.gguf")
//	if err != nil { ... }
//	defer f.Close()
//	arch, err := f.String("general.architecture")
//	data, err := f.TensorData("token_embd.weight")
//
// File.Validate then checks what the llama.cpp engine trusts without
// checking (hyperparameters it asserts on, the vocabulary, tensor shapes of
// the llama family), from the header alone, so a bad file is refused with
// the key or tensor named instead of aborting the process that loads it.
//
// Writing goes through a Builder that streams tensor data to a temporary file
// and renames it into place:
//
//	b := gguf.NewBuilder()
//	b.Set("general.architecture", gguf.Of("llama"))
//	b.AddFloat32("w", gguf.Q8_0, []uint64{64, 4}, weights)
//	err := b.WriteFile(ctx, "out.gguf")
//
// WriteTinyLlama makes small random llama or qwen2 models for tests and
// benchmarks, and WriteLoRA writes adapters in llama.cpp's LoRA layout.
package gguf
