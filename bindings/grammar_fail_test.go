package bindings

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/llm"
)

// A grammar that no token of the vocabulary can continue makes the engine's
// grammar sampler throw; that must come back as an error, not unwind into
// Go and abort the process (a server would lose every stream).
func TestGrammarNoTokenCanContinue(t *testing.T) {
	// No byte tokens: "z" cannot be spelled with this vocabulary.
	tok := &gguf.TokenizerSpec{
		Model:  "llama",
		Tokens: []string{"<unk>", "<s>", "</s>", "a", "b", "\u2581a", "\u2581b"},
		Types:  []int32{gguf.TokenUnknown, gguf.TokenControl, gguf.TokenControl, gguf.TokenNormal, gguf.TokenNormal, gguf.TokenNormal, gguf.TokenNormal},
		Scores: []float32{0, 0, 0, -1, -2, -3, -4},
		IDs:    map[string]uint32{"unknown": 0, "bos": 1, "eos": 2},
	}
	path := filepath.Join(t.TempDir(), "ab.gguf")
	cfg := gguf.TinyLlamaConfig{Arch: "llama", Embd: 64, Layers: 1, Heads: 4, HeadsKV: 2, FF: 128, Type: gguf.F32, Seed: 3, Tokenizer: tok}
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(path, ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := newCtx(t, m, ContextParams{NCtx: 64})
	_, err = c.Generate(context.Background(), "a b", llm.GenerateOptions{MaxTokens: 4, SampleOptions: llm.SampleOptions{Grammar: `root ::= "z"`}})
	if err == nil {
		t.Fatal("a grammar no token can continue generated without an error")
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), "sample") {
		t.Fatalf("error %q does not say sampling failed", err)
	}
	// The context is still usable.
	if _, err := c.Generate(context.Background(), "a b", llm.GenerateOptions{MaxTokens: 2}); err != nil {
		t.Fatalf("after the failed grammar: %v", err)
	}
}
