package gguf

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// BenchmarkRandomTensor measures generating and encoding random weights,
// the work behind every tensor of WriteTinyLlama.
func BenchmarkRandomTensor(b *testing.B) {
	const n = 1 << 20
	for _, typ := range []TensorType{F32, F16, Q8_0, Q4_0} {
		b.Run(typ.String(), func(b *testing.B) {
			gen := randomTensor(1, "w", InitStd, typ, n)
			b.SetBytes(n * 4)
			for b.Loop() {
				if err := gen(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteQwen05B writes a model of the shape of Qwen2.5-0.5B (494M
// parameters) to disk. Run it with -benchtime=1x.
func BenchmarkWriteQwen05B(b *testing.B) {
	for _, typ := range []TensorType{Q8_0, Q4_0} {
		b.Run(typ.String(), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "q.gguf")
			for b.Loop() {
				if err := WriteTinyLlama(context.Background(), path, Qwen05BShape(typ)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenVocab reads the header of a real vocabulary file: 32,256
// tokens with their types, scores and merges.
func BenchmarkOpenVocab(b *testing.B) {
	path := testfixture.Path(b, "ggml-vocab-deepseek-coder.gguf")
	for b.Loop() {
		f, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
