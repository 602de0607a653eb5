package bindings

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/tokenizer"
)

// goSources reads .go files under $GOROOT/src/dir up to about limit bytes.
func goSources(t *testing.T, dir string, limit int) []string {
	t.Helper()
	var texts []string
	total := 0
	err := filepath.WalkDir(filepath.Join(testfixture.GoRoot(t), "src", dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || total > limit {
			return err
		}
		b, err := os.ReadFile(p)
		texts = append(texts, string(b))
		total += len(b)
		return err
	})
	if err != nil || len(texts) == 0 {
		t.Fatalf("read Go sources under %s: %v (%d files)", dir, err, len(texts))
	}
	return texts
}

// TestTokenizerAgreesWithEngine puts codeloom's byte-level BPE tokenizers
// (one trained here, and GPT-2's copied from a vocab-only fixture) into
// models and checks that llama.cpp tokenizes real code exactly as the Go
// encoder does, and finds the special tokens.
func TestTokenizerAgreesWithEngine(t *testing.T) {
	dir := t.TempDir()
	trained, err := tokenizer.Train(context.Background(), slices.Values(goSources(t, "strings", 400<<10)), 1024, tokenizer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(testfixture.Path(t, "ggml-vocab-gpt-2.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	gpt2Spec, err := gguf.TokenizerFromFile(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	gpt2, err := tokenizer.FromSpec(gpt2Spec)
	if err != nil {
		t.Fatal(err)
	}
	// Valid UTF-8 only: on invalid bytes the engine substitutes U+FFFD
	// where the Go encoder keeps the byte (documented in docs/gguf.md).
	texts := append(goSources(t, "bufio", 200<<10), "héllo wörld 日本 🙂\r\n\t\t  x  ", "a   b\n\n\n   c", "don't I'M we'll")
	for name, c := range map[string]struct {
		tok  *tokenizer.Tokenizer
		spec *gguf.TokenizerSpec
	}{"trained": {trained, trained.Spec()}, "gpt2": {gpt2, gpt2Spec}} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".gguf")
			if err := gguf.WriteTinyLlama(context.Background(), p, gguf.TinyLlamaConfig{Tokenizer: c.spec}); err != nil {
				t.Fatal(err)
			}
			m, err := LoadModel(p, ModelParams{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			for i, text := range texts {
				want, err := m.Tokenize(text, false)
				if err != nil {
					t.Fatal(err)
				}
				if got := c.tok.Encode(text); !slices.Equal(got, want) {
					t.Fatalf("text %d: Go encoder gives %d tokens, engine %d", i, len(got), len(want))
				}
			}
			if name == "trained" {
				if _, _, _, ok := m.FIM(); !ok {
					t.Error("trained tokenizer's FIM tokens not found by the engine")
				}
				if toks, _ := m.Tokenize("x", true); len(toks) != 2 || toks[0] != m.BOS() {
					t.Errorf("tokens with BOS: %v", toks)
				}
			}
		})
	}
}
