package gguf

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
)

func randomPair(rng *rand.Rand, base string, in, out, rank int) LoRAPair {
	p := LoRAPair{Base: base, In: in, Out: out, Rank: rank}
	da, db := p.dims()
	p.A, p.B = make([]float32, NumElements(da)), make([]float32, NumElements(db))
	for i := range p.A {
		p.A[i] = float32(rng.NormFloat64())
	}
	for i := range p.B {
		p.B[i] = float32(rng.NormFloat64())
	}
	return p
}

func TestLoRARoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pairs := []LoRAPair{
		randomPair(rng, "blk.0.attn_k", 64, 32, 4),
		randomPair(rng, "blk.0.attn_q", 64, 64, 4),
		randomPair(rng, "token_embd", 64, 300, 4),
	}
	path := filepath.Join(t.TempDir(), "adapter.gguf")
	if err := WriteLoRA(context.Background(), path, "llama", 8, pairs); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for key, want := range map[string]string{KeyGeneralType: "adapter", KeyAdapterType: "lora", KeyArch: "llama"} {
		if got, err := f.String(key); err != nil || got != want {
			t.Errorf("%s = %q, %v", key, got, err)
		}
	}
	if a, err := f.Float32(KeyLoRAAlpha); err != nil || a != 8 {
		t.Errorf("alpha %v, %v", a, err)
	}
	// Shapes as llama.cpp checks them: a [in, r], b [r, out]; flipped for
	// the embedding.
	for name, want := range map[string][]uint64{
		"blk.0.attn_k.weight.lora_a": {64, 4}, "blk.0.attn_k.weight.lora_b": {4, 32},
		"token_embd.weight.lora_a": {4, 300}, "token_embd.weight.lora_b": {4, 64},
	} {
		if ti, ok := f.Tensor(name); !ok || !reflect.DeepEqual(ti.Dims, want) || ti.Type != F32 {
			t.Errorf("%s: %+v, want dims %v", name, ti, want)
		}
	}
	l, err := ReadLoRA(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Arch != "llama" || l.Alpha != 8 || !reflect.DeepEqual(l.Pairs, pairs) {
		t.Errorf("read back %s alpha %v, pairs equal: %v", l.Arch, l.Alpha, reflect.DeepEqual(l.Pairs, pairs))
	}
}

func TestLoRARejects(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	bad := randomPair(rng, "blk.0.attn_q", 8, 8, 2)
	bad.B = bad.B[:3]
	tests := []struct {
		name string
		p    LoRAPair
	}{
		{"base with .weight", randomPair(rng, "blk.0.attn_q.weight", 8, 8, 2)},
		{"zero rank", LoRAPair{Base: "x", In: 8, Out: 8}},
		{"short B", bad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.gguf")
			if err := WriteLoRA(context.Background(), path, "llama", 1, []LoRAPair{tt.p}); err == nil {
				t.Fatal("no error")
			}
		})
	}
	// A model is not an adapter.
	_, model := writeTiny(t, TinyLlamaConfig{})
	if _, err := ReadLoRA(model); err == nil {
		t.Error("ReadLoRA accepted a model")
	}
}
