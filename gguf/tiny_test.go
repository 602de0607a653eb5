package gguf

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

func writeTiny(t testing.TB, cfg TinyLlamaConfig) (*File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := WriteTinyLlama(context.Background(), path, cfg); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, path
}

func TestWriteTinyLlama(t *testing.T) {
	tests := []struct {
		name     string
		cfg      TinyLlamaConfig
		tensors  int
		wantType TensorType
	}{
		{"llama f32 defaults", TinyLlamaConfig{}, 3 + 2*9, F32},
		{"llama gqa f16", TinyLlamaConfig{Embd: 64, Heads: 8, HeadsKV: 2, Type: F16}, 3 + 2*9, F16},
		{"llama q8_0 tied", TinyLlamaConfig{Type: Q8_0, TiedEmbeddings: true, Layers: 3}, 2 + 3*9, Q8_0},
		{"llama q4_0", TinyLlamaConfig{Type: Q4_0, Vocab: 300}, 3 + 2*9, Q4_0},
		{"qwen2 bf16", TinyLlamaConfig{Arch: "qwen2", Type: BF16, Heads: 4, HeadsKV: 2, TiedEmbeddings: true}, 2 + 2*12, BF16},
		{"qwen3", TinyLlamaConfig{Arch: "qwen3"}, 3 + 2*11, F32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := writeTiny(t, tt.cfg)
			cfg, err := tt.cfg.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			arch, _ := f.String("general.architecture")
			if arch != cfg.Arch {
				t.Errorf("architecture %q", arch)
			}
			for key, want := range map[string]int{
				"context_length": cfg.Ctx, "embedding_length": cfg.Embd, "block_count": cfg.Layers,
				"feed_forward_length": cfg.FF, "attention.head_count": cfg.Heads,
				"attention.head_count_kv": cfg.HeadsKV, "rope.dimension_count": cfg.Embd / cfg.Heads,
				"vocab_size": cfg.Vocab,
			} {
				if got, err := f.Uint32(arch + "." + key); err != nil || int(got) != want {
					t.Errorf("%s = %d, %v; want %d", key, got, err, want)
				}
			}
			if _, err := f.Float32(arch + ".attention.layer_norm_rms_epsilon"); err != nil {
				t.Error(err)
			}
			toks, _ := f.Strings(KeyTokenizerTokens)
			types, _ := f.Int32s(KeyTokenizerTypes)
			scores, _ := f.Float32s(KeyTokenizerScores)
			if len(toks) != cfg.Vocab || len(types) != cfg.Vocab || len(scores) != cfg.Vocab {
				t.Errorf("%d tokens, %d types, %d scores; want %d", len(toks), len(types), len(scores), cfg.Vocab)
			}
			if len(f.Tensors) != tt.tensors {
				t.Errorf("%d tensors, want %d", len(f.Tensors), tt.tensors)
			}
			emb, _ := f.Tensor("token_embd.weight")
			if emb.Type != tt.wantType || !reflect.DeepEqual(emb.Dims, []uint64{uint64(cfg.Embd), uint64(cfg.Vocab)}) {
				t.Errorf("token_embd %+v", emb)
			}
			checkWeights(t, f, cfg)
		})
	}
}

// checkWeights asserts norms are ones, biases and 1-D tensors are F32, and
// the matrices have the intended spread.
func checkWeights(t *testing.T, f *File, cfg TinyLlamaConfig) {
	t.Helper()
	for _, ti := range f.Tensors {
		vals, err := f.TensorFloat32(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(ti.Name, "norm.weight") {
			for _, v := range vals {
				if v != 1 {
					t.Fatalf("%s holds %v, want ones", ti.Name, v)
				}
			}
			continue
		}
		if want := map[int]TensorType{1: F32, 2: cfg.Type}[len(ti.Dims)]; ti.Type != want {
			t.Errorf("%s is %s with %d dims, want %s", ti.Name, ti.Type, len(ti.Dims), want)
		}
		if len(vals) < 1000 {
			continue // too few values for a stable estimate
		}
		var sum, sq float64
		for _, v := range vals {
			sum += float64(v)
			sq += float64(v) * float64(v)
		}
		n := float64(len(vals))
		mean, std := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
		want := InitStd
		if strings.HasSuffix(ti.Name, "attn_output.weight") || strings.HasSuffix(ti.Name, "ffn_down.weight") {
			want /= math.Sqrt(2 * float64(cfg.Layers))
		}
		// Q4_0 adds rounding noise of a sixteenth of the block range.
		if math.Abs(std-want) > 0.2*want || math.Abs(mean) > 0.2*want {
			t.Errorf("%s: mean %.4f std %.4f, want std %.4f", ti.Name, mean, std, want)
		}
	}
}

// The same seed gives the same bytes whatever the number of cores that
// generate the chunks (the embedding here spans several chunks).
func TestWriteTinyLlamaDeterministic(t *testing.T) {
	cfg := TinyLlamaConfig{Type: Q8_0, Seed: 7, Embd: 256, Vocab: 1000, Layers: 1}
	_, a := writeTiny(t, cfg)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	_, b := writeTiny(t, cfg)
	cfg.Seed = 8
	_, c := writeTiny(t, cfg)
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	dc, _ := os.ReadFile(c)
	if !bytes.Equal(da, db) {
		t.Error("same seed, different files")
	}
	if bytes.Equal(da, dc) {
		t.Error("different seeds, same file")
	}
}

func TestWriteTinyLlamaRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  TinyLlamaConfig
	}{
		{"unknown arch", TinyLlamaConfig{Arch: "gpt2"}},
		{"heads do not divide embd", TinyLlamaConfig{Embd: 60, Heads: 8}},
		{"kv heads do not divide heads", TinyLlamaConfig{Heads: 4, HeadsKV: 3}},
		{"odd head size", TinyLlamaConfig{Embd: 12, Heads: 4}},
		{"q8_0 with ff not whole blocks", TinyLlamaConfig{Type: Q8_0, FF: 100}},
		{"unsupported type", TinyLlamaConfig{Type: Q4_K}},
		{"vocab smaller than tokenizer", TinyLlamaConfig{Vocab: 10}},
		{"negative layers", TinyLlamaConfig{Layers: -1}},
		{"gpt2 without merges", TinyLlamaConfig{Tokenizer: &TokenizerSpec{Model: "gpt2", Tokens: []string{"a"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.gguf")
			if err := WriteTinyLlama(context.Background(), path, tt.cfg); err == nil {
				t.Fatal("no error")
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("file written anyway: %v", err)
			}
		})
	}
}

// A tiny model can carry the tokenizer of a real vocab-only file, every
// tokenizer key unchanged.
func TestTokenizerFromFile(t *testing.T) {
	for _, name := range []string{"ggml-vocab-gpt-2.gguf", "ggml-vocab-deepseek-coder.gguf", "ggml-vocab-llama-spm.gguf"} {
		t.Run(name, func(t *testing.T) {
			src, err := Open(testfixture.Path(t, name))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			spec, err := TokenizerFromFile(src)
			if err != nil {
				t.Fatal(err)
			}
			f, _ := writeTiny(t, TinyLlamaConfig{Tokenizer: spec, Embd: 32, Heads: 2, Layers: 1})
			for _, kv := range src.KV {
				if !strings.HasPrefix(kv.Key, "tokenizer.") {
					continue
				}
				got, ok := f.Lookup(kv.Key)
				if !ok || !reflect.DeepEqual(got, kv.Value) {
					t.Errorf("%s: got %v, want %v", kv.Key, got, kv.Value)
				}
			}
		})
	}
}

// Special token ids written with another integer type are copied as the
// uint32 llama.cpp requires; non-integers are refused.
func TestTokenizerFromFileIDTypes(t *testing.T) {
	for _, tt := range []struct {
		v  Value
		ok bool
	}{{Of(int32(2)), true}, {Of(uint64(2)), true}, {Of(int32(-1)), false}, {Of("2"), false}} {
		b := NewBuilder()
		spec := SPMByteTokenizer()
		spec.IDs = nil
		kv, err := spec.KV()
		if err != nil {
			t.Fatal(err)
		}
		b.SetKV(kv...)
		b.Set("tokenizer.ggml.eos_token_id", tt.v)
		got, err := TokenizerFromFile(writeFile(t, b))
		if (err == nil) != tt.ok {
			t.Fatalf("%v: error %v, want ok=%v", tt.v, err, tt.ok)
		}
		if tt.ok && got.IDs["eos"] != 2 {
			t.Errorf("%v: eos id %d", tt.v, got.IDs["eos"])
		}
	}
}
