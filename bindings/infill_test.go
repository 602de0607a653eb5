package bindings

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/llm"
)

// TestInfillTokens: the fill-in-the-middle prompt is BOS, FIM_PRE, the
// prefix, FIM_SUF, the suffix, FIM_MID, in that order; a model without FIM
// tokens fails with llm.ErrNoFIM.
func TestInfillTokens(t *testing.T) {
	tok := gguf.SPMByteTokenizer("<PRE>", "<SUF>", "<MID>")
	n := len(tok.Tokens)
	for i := n - 3; i < n; i++ {
		tok.Types[i] = gguf.TokenControl
	}
	tok.IDs["fim_pre"], tok.IDs["fim_suf"], tok.IDs["fim_mid"] = uint32(n-3), uint32(n-2), uint32(n-1)
	path := filepath.Join(t.TempDir(), "fim.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), path, gguf.TinyLlamaConfig{Tokenizer: tok}); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(path, ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	prefix, suffix := "def f(x):\n", "\nprint(f(2))"
	p, _ := m.Tokenize(prefix, false)
	s, _ := m.Tokenize(suffix, false)
	want := slices.Concat([]int32{m.BOS(), int32(n - 3)}, p, []int32{int32(n - 2)}, s, []int32{int32(n - 1)})
	got, err := m.InfillTokens(prefix, suffix)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("InfillTokens = %v, %v; want %v", got, err, want)
	}
	g, err := newCtx(t, m, ContextParams{NCtx: 128}).Infill(context.Background(), prefix, suffix, llm.GenerateOptions{MaxTokens: 3})
	if err != nil || g.PromptTokens != len(want) {
		t.Fatalf("Infill: %+v, %v", g, err)
	}

	if _, err := stories(t).InfillTokens(prefix, suffix); !errors.Is(err, llm.ErrNoFIM) {
		t.Errorf("stories260K: %v, want ErrNoFIM", err)
	}
}

// TestTopTokens: the k largest logits, largest first.
func TestTopTokens(t *testing.T) {
	logits := []float32{0.1, 3, -1, 3, 2, 0}
	for _, tt := range []struct {
		k    int
		want []int32
	}{{0, []int32{}}, {1, []int32{1}}, {3, []int32{1, 3, 4}}, {9, []int32{1, 3, 4, 0, 5, 2}}} {
		if got := topTokens(logits, tt.k); !slices.Equal(got, tt.want) {
			t.Errorf("k=%d: %v, want %v", tt.k, got, tt.want)
		}
	}
}
