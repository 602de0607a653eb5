package tokenizer

import (
	"context"
	"slices"
	"testing"
)

// BenchmarkTrain4096 trains a 4096-token vocabulary on about 10 MB of the Go
// toolchain's own source, on one goroutine.
func BenchmarkTrain4096(b *testing.B) {
	texts := goSources(b, "", 10<<20)
	b.SetBytes(int64(totalBytes(texts)))
	for b.Loop() {
		tok, err := Train(context.Background(), slices.Values(texts), 4096, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if tok.Len() != 4096 {
			b.Fatalf("%d tokens", tok.Len())
		}
	}
}

// BenchmarkEncode measures Encode on Go source.
func BenchmarkEncode(b *testing.B) {
	texts := goSources(b, "strings", 1<<20)
	tok, err := Train(context.Background(), slices.Values(texts), 4096, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(totalBytes(texts)))
	for b.Loop() {
		for _, t := range texts {
			tok.Encode(t)
		}
	}
}
