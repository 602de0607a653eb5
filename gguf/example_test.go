package gguf_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/gguf"
)

func Example() {
	dir, err := os.MkdirTemp("", "gguf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "small.gguf")

	b := gguf.NewBuilder()
	b.Set("general.architecture", gguf.Of("llama"))
	b.Set("tokenizer.ggml.tokens", gguf.ArrayOf([]string{"<s>", "a", "b"}))
	if err := b.AddFloat32("w", gguf.Q8_0, []uint64{32, 2}, make([]float32, 64)); err != nil {
		log.Fatal(err)
	}
	if err := b.WriteFile(context.Background(), path); err != nil {
		log.Fatal(err)
	}

	f, err := gguf.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	arch, _ := f.String("general.architecture")
	tokens, _ := f.Strings("tokenizer.ggml.tokens")
	fmt.Println(arch, tokens)
	for _, t := range f.Tensors {
		fmt.Println(t.Name, t.Type, t.Dims, t.Size, "bytes")
	}
	// Output:
	// llama [<s> a b]
	// w Q8_0 [32 2] 68 bytes
}

func ExampleWriteTinyLlama() {
	dir, err := os.MkdirTemp("", "gguf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tiny.gguf")

	cfg := gguf.TinyLlamaConfig{Arch: "qwen2", Embd: 64, Layers: 2, Heads: 4, HeadsKV: 2, Type: gguf.Q8_0, Seed: 1}
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		log.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	vocab, _ := f.Uint32("qwen2.vocab_size")
	q, _ := f.Tensor("blk.0.attn_k.weight")
	bias, _ := f.Tensor("blk.0.attn_k.bias")
	fmt.Println(len(f.Tensors), "tensors, vocabulary", vocab)
	fmt.Println(q.Name, q.Type, q.Dims)
	fmt.Println(bias.Name, bias.Type, bias.Dims)
	// Output:
	// 27 tensors, vocabulary 259
	// blk.0.attn_k.weight Q8_0 [64 32]
	// blk.0.attn_k.bias F32 [32]
}
