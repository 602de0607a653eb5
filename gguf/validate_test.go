package gguf

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// tinyBuilder is a valid tiny llama model (zeroed weights) as a Builder,
// so a test can break one thing in it.
func tinyBuilder(t testing.TB, cfg TinyLlamaConfig) *Builder {
	t.Helper()
	c, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	kv, err := c.metadata()
	if err != nil {
		t.Fatal(err)
	}
	b := NewBuilder()
	b.SetKV(kv...)
	for _, tt := range c.tensorPlan() {
		size, err := tensorBytes(tt.typ, tt.dims)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.AddTensor(tt.name, tt.typ, tt.dims, make([]byte, size)); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func readBuilder(t testing.TB, b *Builder) *File {
	t.Helper()
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestValidateAcceptsGoodModels(t *testing.T) {
	for _, cfg := range []TinyLlamaConfig{
		{}, {Arch: "qwen2", TiedEmbeddings: true}, {Arch: "qwen3", HeadsKV: 2}, {Vocab: 300},
	} {
		if err := readBuilder(t, tinyBuilder(t, cfg)).Validate(); err != nil {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}

func TestValidateRefuses(t *testing.T) {
	spm := SPMByteTokenizer()
	dupTokens := append([]string(nil), spm.Tokens...)
	dupTokens[10] = dupTokens[9]
	tests := []struct {
		name string
		cfg  TinyLlamaConfig
		edit func(b *Builder)
		want string
	}{
		{"block count 0", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.block_count", Of(uint32(0))) }, "llama.block_count is 0"},
		{"too many blocks", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.block_count", Of(uint32(513))) }, "at most 512"},
		{"fewer blocks than tensors", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.block_count", Of(uint32(1))) }, `"blk.1.`},
		{"head count 0", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.attention.head_count", Of(uint32(0))) }, "llama.attention.head_count is 0"},
		{"kv heads do not divide", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.attention.head_count_kv", Of(uint32(3))) }, "not a multiple of head_count_kv 3"},
		{"heads do not divide embedding", TinyLlamaConfig{}, func(b *Builder) {
			b.Set("llama.attention.head_count", Of(uint32(5)))
			b.Set("llama.attention.head_count_kv", Of(uint32(5)))
		}, "not divisible by attention.head_count 5"},
		{"embedding 0", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.embedding_length", Of(uint32(0))) }, "llama.embedding_length is 0"},
		{"context 0", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.context_length", Of(uint32(0))) }, "llama.context_length is 0"},
		{"context missing type", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.context_length", Of("many")) }, "llama.context_length is"},
		{"feed forward 0", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.feed_forward_length", Of(uint32(0))) }, "llama.feed_forward_length is 0"},
		{"per-layer heads of wrong length", TinyLlamaConfig{}, func(b *Builder) {
			b.Set("llama.attention.head_count", ArrayOf([]uint32{4, 4, 4}))
		}, "3 entries for 2 layers"},
		{"experts used without experts", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.expert_used_count", Of(uint32(2))) }, "expert_used_count 2 exceeds"},
		{"rope scaling unknown", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.rope.scaling.type", Of("wild")) }, "rope.scaling.type"},
		{"rope dims odd", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.rope.dimension_count", Of(uint32(7))) }, "rope.dimension_count 7"},
		{"no architecture", TinyLlamaConfig{}, func(b *Builder) { b.Set("general.architecture", Of(uint32(1))) }, "general.architecture"},
		{"duplicate token", TinyLlamaConfig{}, func(b *Builder) { b.Set(KeyTokenizerTokens, ArrayOf(dupTokens)) }, `token 10 "<0x06>" duplicates token 9`},
		{"empty vocabulary", TinyLlamaConfig{}, func(b *Builder) { b.Set(KeyTokenizerTokens, ArrayOf([]string{})) }, "is empty"},
		{"tokens not strings", TinyLlamaConfig{}, func(b *Builder) { b.Set(KeyTokenizerTokens, ArrayOf([]int32{1, 2})) }, "want an array of strings"},
		{"short scores", TinyLlamaConfig{}, func(b *Builder) { b.Set(KeyTokenizerScores, ArrayOf([]float32{0, 1})) }, "scores has 2 entries for 259 tokens"},
		{"scores of strings", TinyLlamaConfig{}, func(b *Builder) { b.Set(KeyTokenizerScores, ArrayOf(spm.Tokens)) }, "want an array of float32"},
		{"long token types", TinyLlamaConfig{}, func(b *Builder) { b.Set(KeyTokenizerTypes, ArrayOf(make([]int32, 400))) }, "token_type has 400 entries"},
		{"bos out of range", TinyLlamaConfig{}, func(b *Builder) { b.Set("tokenizer.ggml.bos_token_id", Of(uint32(259))) }, "bos_token_id is 259"},
		{"eos negative", TinyLlamaConfig{}, func(b *Builder) { b.Set("tokenizer.ggml.eos_token_id", Of(int32(-7))) }, "eos_token_id is -7"},
		{"gpt2 without merges", TinyLlamaConfig{}, func(b *Builder) { b.Set(KeyTokenizerModel, Of("gpt2")) }, "merges is missing"},
		{"vocabulary larger than embedding", TinyLlamaConfig{}, func(b *Builder) {
			b.Set(KeyTokenizerTokens, ArrayOf(append(append([]string(nil), spm.Tokens...), "extra")))
			b.Set(KeyTokenizerScores, ArrayOf(make([]float32, 260)))
			b.Set(KeyTokenizerTypes, ArrayOf(append(append([]int32(nil), spm.Types...), TokenNormal)))
		}, `tensor "output.weight" has shape [64 259], want [64 260]`},
		{"wrong q shape", TinyLlamaConfig{}, func(b *Builder) { b.Set("llama.attention.head_count_kv", Of(uint32(2))) }, `tensor "blk.0.attn_k.weight" has shape [64 64], want [64 32]`},
		{"keys of another architecture", TinyLlamaConfig{Arch: "qwen3"}, func(b *Builder) { b.Set("general.architecture", Of("llama")) }, "llama.context_length is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tinyBuilder(t, tt.cfg)
			tt.edit(b)
			err := readBuilder(t, b).Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v is not ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestValidateAdapter(t *testing.T) {
	b := NewBuilder()
	b.Set("general.type", Of("adapter"))
	b.Set("general.architecture", Of("llama"))
	b.Set("adapter.type", Of("lora"))
	b.Set("adapter.lora.alpha", Of(float32(16)))
	if err := b.AddFloat32("blk.0.attn_q.weight.lora_a", F32, []uint64{64, 8}, make([]float32, 512)); err != nil {
		t.Fatal(err)
	}
	if err := b.AddFloat32("blk.0.attn_q.weight.lora_b", F32, []uint64{4, 64}, make([]float32, 256)); err != nil {
		t.Fatal(err)
	}
	err := readBuilder(t, b).Validate()
	if err == nil || !strings.Contains(err.Error(), "rank 8 differs from lora_b rank 4") {
		t.Fatalf("mismatched ranks: %v", err)
	}
	b.Set("adapter.type", Of("control"))
	if err := readBuilder(t, b).Validate(); err == nil || !strings.Contains(err.Error(), `adapter.type is "control"`) {
		t.Fatalf("control vector: %v", err)
	}
}

// TestValidateRealFiles guards against refusing what real converters
// write: the fixture model in full, the fixture vocabularies' tokenizers.
func TestValidateRealFiles(t *testing.T) {
	f, err := Open(testfixture.Path(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Validate(); err != nil {
		t.Errorf("stories260K: %v", err)
	}
	for _, name := range []string{"ggml-vocab-gpt-2.gguf", "ggml-vocab-deepseek-coder.gguf", "ggml-vocab-llama-spm.gguf"} {
		f, err := Open(testfixture.Path(t, name))
		if err != nil {
			t.Fatal(err)
		}
		n, err := f.validateVocab()
		f.Close()
		if err != nil || n == 0 {
			t.Errorf("%s: %d tokens, %v", name, n, err)
		}
	}
}
