package bindings

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/llm"
)

// TestTinyModelsFromGGUF loads models written by codeloom's own gguf
// package, in each weight type and architecture it writes, and generates.
func TestTinyModelsFromGGUF(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  gguf.TinyLlamaConfig
		ft   string
	}{
		{"llama f32", gguf.TinyLlamaConfig{}, "F32"},
		{"llama f16", gguf.TinyLlamaConfig{Type: gguf.F16}, "F16"},
		{"llama q8_0", gguf.TinyLlamaConfig{Type: gguf.Q8_0}, "Q8_0"},
		{"llama q4_0", gguf.TinyLlamaConfig{Type: gguf.Q4_0}, "Q4_0"},
		{"qwen2 tied", gguf.TinyLlamaConfig{Arch: "qwen2", TiedEmbeddings: true, HeadsKV: 2}, "F32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".gguf")
			tt.cfg.Seed = 1
			if err := gguf.WriteTinyLlama(context.Background(), path, tt.cfg); err != nil {
				t.Fatal(err)
			}
			m, err := LoadModel(path, ModelParams{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			info := m.Info()
			want := tt.cfg.Arch
			if want == "" {
				want = "llama"
			}
			if info.Architecture != want || info.FileType != tt.ft {
				t.Errorf("info %+v, want %s %s", info, want, tt.ft)
			}
			c := newCtx(t, m, ContextParams{NCtx: 64})
			g, err := c.Generate(context.Background(), "func main() {", llm.GenerateOptions{MaxTokens: 8})
			if err != nil {
				t.Fatal(err)
			}
			if g.CompletionTokens == 0 && g.FinishReason != llm.FinishStop {
				t.Errorf("nothing generated: %+v", g)
			}
		})
	}
}

func TestQuantize(t *testing.T) {
	dir := t.TempDir()
	// stories260K's feed-forward width (172) is not a multiple of the
	// quantization block: the engine must refuse it with its reason.
	err := Quantize(testfixture.Path(t, "stories260K.gguf"), filepath.Join(dir, "s.gguf"), "q8_0", 1)
	if err == nil || !strings.Contains(err.Error(), "Unsupported tensor size") {
		t.Errorf("quantizing stories260K: err = %v, want the engine's reason", err)
	}
	src := filepath.Join(dir, "tiny.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), src, gguf.TinyLlamaConfig{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	base, err := LoadModel(src, ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	bc := newCtx(t, base, ContextParams{NCtx: 256})
	text := "func add(a, b int) int { return a + b }"
	want, err := bc.Perplexity(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"f16", "q8_0"} {
		t.Run(typ, func(t *testing.T) {
			out := filepath.Join(dir, typ+".gguf")
			if err := Quantize(src, out, typ, 1); err != nil {
				t.Fatal(err)
			}
			m, err := LoadModel(out, ModelParams{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if ft := m.Info().FileType; !strings.EqualFold(ft, typ) {
				t.Errorf("file type %q, want %s", ft, typ)
			}
			c := newCtx(t, m, ContextParams{NCtx: 256})
			got, err := c.Perplexity(context.Background(), text)
			if err != nil {
				t.Fatal(err)
			}
			// Quantized weights change the numbers a little, not the model.
			if r := got.PPL / want.PPL; r < 0.9 || r > 1.1 {
				t.Errorf("perplexity %v after %s, %v before", got.PPL, typ, want.PPL)
			}
		})
	}
	if err := Quantize(src, filepath.Join(dir, "x.gguf"), "q9_9", 1); err == nil || !strings.Contains(err.Error(), "unknown type") {
		t.Errorf("unknown type: err = %v", err)
	}
	if err := Quantize(filepath.Join(dir, "missing.gguf"), filepath.Join(dir, "y.gguf"), "q8_0", 1); err == nil {
		t.Error("missing input accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "y.gguf")); !os.IsNotExist(err) {
		t.Error("failed quantize left an output file")
	}
}
