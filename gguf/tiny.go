package gguf

import (
	"context"
	"fmt"
	"math"
)

// TinyLlamaConfig describes a randomly initialised model. Zero fields take
// the defaults named in their comments.
type TinyLlamaConfig struct {
	Arch    string // "llama" (default), "qwen2" (q/k/v biases) or "qwen3" (q/k norms)
	Name    string // general.name; default "codeloom-tiny"
	Vocab   int    // rows of the embedding; default the tokenizer's size, larger pads it
	Embd    int    // default 64
	Layers  int    // default 2
	Heads   int    // default 4
	HeadsKV int    // default Heads
	FF      int    // feed-forward width; default 4·Embd
	Ctx     int    // context length; default 256
	Seed    uint64 // weights are a function of Seed and the tensor's name
	// Type of the weight matrices: F32 (default), F16, BF16, Q8_0 or Q4_0.
	// Norms and biases are always F32, as llama.cpp's own quantizer leaves them.
	Type TensorType
	// TiedEmbeddings omits output.weight, so the output projection reuses
	// token_embd (as Qwen2.5-0.5B does).
	TiedEmbeddings bool
	RopeBase       float32 // default 10000 for llama, 1000000 for qwen2/qwen3
	NormEps        float32 // RMS norm epsilon; default 1e-5 for llama, 1e-6 otherwise
	// Tokenizer defaults to SPMByteTokenizer().
	Tokenizer *TokenizerSpec
}

// InitStd is the standard deviation of the random weights; the projections
// back into the residual stream are further divided by sqrt(2·layers) so the
// residual's variance does not grow with depth.
const InitStd = 0.02

// fileTypes maps a weight type to llama.cpp's general.file_type.
var fileTypes = map[TensorType]uint32{F32: 0, F16: 1, Q4_0: 2, Q8_0: 7, BF16: 32}

func (c TinyLlamaConfig) withDefaults() (TinyLlamaConfig, error) {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	if c.Arch == "" {
		c.Arch = "llama"
	}
	if c.Name == "" {
		c.Name = "codeloom-tiny"
	}
	def(&c.Embd, 64)
	def(&c.Layers, 2)
	def(&c.Heads, 4)
	def(&c.HeadsKV, c.Heads)
	def(&c.FF, 4*c.Embd)
	def(&c.Ctx, 256)
	// The defaults of the models each architecture was made for.
	rope, eps := float32(1e6), float32(1e-6)
	if c.Arch == "llama" {
		rope, eps = 10000, 1e-5
	}
	if c.RopeBase == 0 {
		c.RopeBase = rope
	}
	if c.NormEps == 0 {
		c.NormEps = eps
	}
	if c.Tokenizer == nil {
		c.Tokenizer = SPMByteTokenizer()
	}
	def(&c.Vocab, len(c.Tokenizer.Tokens))
	return c, c.check()
}

func (c TinyLlamaConfig) check() error {
	switch {
	case c.Arch != "llama" && c.Arch != "qwen2" && c.Arch != "qwen3":
		return fmt.Errorf("architecture %q: want llama, qwen2 or qwen3", c.Arch)
	case c.Embd < 0 || c.Layers < 0 || c.Heads < 0 || c.HeadsKV < 0 || c.FF < 0 || c.Ctx < 0 || c.Vocab < 0:
		return fmt.Errorf("negative size in %+v", c)
	case c.Embd%c.Heads != 0:
		return fmt.Errorf("embedding %d is not divisible by %d heads", c.Embd, c.Heads)
	case c.Heads%c.HeadsKV != 0:
		return fmt.Errorf("%d heads is not a multiple of %d KV heads", c.Heads, c.HeadsKV)
	case (c.Embd/c.Heads)%2 != 0:
		return fmt.Errorf("head size %d is odd; RoPE rotates pairs", c.Embd/c.Heads)
	}
	if _, ok := fileTypes[c.Type]; !ok {
		return fmt.Errorf("weight type %s: want F32, F16, BF16, Q8_0 or Q4_0", c.Type)
	}
	if bs := int(c.Type.BlockSize()); c.Embd%bs != 0 || c.FF%bs != 0 {
		return fmt.Errorf("%s needs embedding %d and feed-forward %d to be multiples of %d", c.Type, c.Embd, c.FF, bs)
	}
	return nil
}

// tinyTensor is one tensor of the model and how to fill it.
type tinyTensor struct {
	name string
	typ  TensorType
	dims []uint64
	std  float32 // 0: all ones (norm weights)
}

func (c TinyLlamaConfig) tensorPlan() []tinyTensor {
	embd, ff, vocab := uint64(c.Embd), uint64(c.FF), uint64(c.Vocab)
	headDim := embd / uint64(c.Heads)
	kv := headDim * uint64(c.HeadsKV)
	resid := float32(InitStd / math.Sqrt(2*float64(c.Layers)))
	w := func(name string, std float32, dims ...uint64) tinyTensor {
		return tinyTensor{name: name, typ: c.Type, dims: dims, std: std}
	}
	vec := func(name string, std float32, n uint64) tinyTensor {
		return tinyTensor{name: name, typ: F32, dims: []uint64{n}, std: std}
	}
	plan := []tinyTensor{w("token_embd.weight", InitStd, embd, vocab), vec("output_norm.weight", 0, embd)}
	if !c.TiedEmbeddings {
		plan = append(plan, w("output.weight", InitStd, embd, vocab))
	}
	for i := 0; i < c.Layers; i++ {
		p := fmt.Sprintf("blk.%d.", i)
		plan = append(plan,
			vec(p+"attn_norm.weight", 0, embd),
			w(p+"attn_q.weight", InitStd, embd, embd),
			w(p+"attn_k.weight", InitStd, embd, kv),
			w(p+"attn_v.weight", InitStd, embd, kv),
			w(p+"attn_output.weight", resid, embd, embd))
		switch c.Arch {
		case "qwen2":
			plan = append(plan, vec(p+"attn_q.bias", InitStd, embd), vec(p+"attn_k.bias", InitStd, kv), vec(p+"attn_v.bias", InitStd, kv))
		case "qwen3":
			plan = append(plan, vec(p+"attn_q_norm.weight", 0, headDim), vec(p+"attn_k_norm.weight", 0, headDim))
		}
		plan = append(plan,
			vec(p+"ffn_norm.weight", 0, embd),
			w(p+"ffn_gate.weight", InitStd, embd, ff),
			w(p+"ffn_up.weight", InitStd, embd, ff),
			w(p+"ffn_down.weight", resid, ff, embd))
	}
	return plan
}

func (c TinyLlamaConfig) metadata() ([]KV, error) {
	tok, err := c.Tokenizer.padTo(c.Vocab)
	if err != nil {
		return nil, err
	}
	tokKV, err := tok.KV()
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	a := c.Arch + "."
	u := func(n int) Value { return Of(uint32(n)) }
	kv := []KV{
		{"general.architecture", Of(c.Arch)},
		{"general.name", Of(c.Name)},
		{"general.file_type", Of(fileTypes[c.Type])},
		{a + "vocab_size", u(c.Vocab)},
		{a + "context_length", u(c.Ctx)},
		{a + "embedding_length", u(c.Embd)},
		{a + "block_count", u(c.Layers)},
		{a + "feed_forward_length", u(c.FF)},
		{a + "attention.head_count", u(c.Heads)},
		{a + "attention.head_count_kv", u(c.HeadsKV)},
		{a + "rope.dimension_count", u(c.Embd / c.Heads)},
		{a + "rope.freq_base", Of(c.RopeBase)},
		{a + "attention.layer_norm_rms_epsilon", Of(c.NormEps)},
	}
	return append(kv, tokKV...), nil
}

// WriteTinyLlama writes a model of the llama family with random weights
// (normal, standard deviation InitStd) and unit norms that llama.cpp loads.
// Weights are generated while the file is written, so even a model of real
// size never sits in memory.
func WriteTinyLlama(ctx context.Context, path string, cfg TinyLlamaConfig) error {
	c, err := cfg.withDefaults()
	if err != nil {
		return fmt.Errorf("tiny model: %w", err)
	}
	kv, err := c.metadata()
	if err != nil {
		return fmt.Errorf("tiny model: %w", err)
	}
	b := NewBuilder()
	b.SetKV(kv...)
	for _, t := range c.tensorPlan() {
		gen := randomTensor(c.Seed, t.name, t.std, t.typ, NumElements(t.dims))
		if err := b.AddTensorFunc(t.name, t.typ, t.dims, gen); err != nil {
			return fmt.Errorf("tiny model: %w", err)
		}
	}
	return b.WriteFile(ctx, path)
}

// Qwen05BShape is the shape of Qwen2.5-0.5B (494M parameters, tied
// embeddings) with a padded byte vocabulary, for benchmarks that need a
// model of real size.
func Qwen05BShape(t TensorType) TinyLlamaConfig {
	return TinyLlamaConfig{
		Arch: "qwen2", Name: "qwen2.5-0.5b-shape", Vocab: 151936, Embd: 896, Layers: 24,
		Heads: 14, HeadsKV: 2, FF: 4864, Ctx: 32768, TiedEmbeddings: true, Type: t,
	}
}
