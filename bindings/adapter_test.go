package bindings

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/llm"
)

// writeAdapter writes a rank-4 adapter on every layer's attn_q and ffn_down
// of stories260K (n_embd 64, ff 172); zeroB leaves B at zero, which must not
// change the model.
func writeAdapter(t *testing.T, path string, zeroB bool, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	rnd := func(n int, scale float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			if scale != 0 {
				v[i] = float32(rng.NormFloat64() * scale)
			}
		}
		return v
	}
	const r = 4
	bScale := 0.02 // small enough that the change is close to linear in the scale
	if zeroB {
		bScale = 0
	}
	var pairs []gguf.LoRAPair
	for l := 0; l < 5; l++ {
		for _, p := range []struct {
			name    string
			in, out int
		}{{"attn_q", 64, 64}, {"ffn_down", 172, 64}} {
			pairs = append(pairs, gguf.LoRAPair{
				Base: "blk." + string(rune('0'+l)) + "." + p.name, In: p.in, Out: p.out, Rank: r,
				A: rnd(p.in*r, 0.5), B: rnd(r*p.out, bScale),
			})
		}
	}
	if err := gguf.WriteLoRA(context.Background(), path, "llama", r, pairs); err != nil {
		t.Fatal(err)
	}
}

func maxAbsDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func TestAdapterApplySwitchRemove(t *testing.T) {
	m := stories(t)
	dir := t.TempDir()
	zero, random, other := filepath.Join(dir, "zero.gguf"), filepath.Join(dir, "rand.gguf"), filepath.Join(dir, "other.gguf")
	writeAdapter(t, zero, true, 1)
	writeAdapter(t, random, false, 2)
	writeAdapter(t, other, false, 3)
	load := func(p string) *Adapter {
		a, err := LoadAdapter(m, p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Close)
		return a
	}
	za, ra, oa := load(zero), load(random), load(other)
	if got := ra.Meta("adapter.type"); got != "lora" {
		t.Errorf("adapter.type = %q", got)
	}

	c := newCtx(t, m, ContextParams{NCtx: 256})
	toks, _ := m.Tokenize("Once upon a time, there was", true)
	logits := func() []float32 {
		t.Helper()
		if err := c.Decode(context.Background(), toks, 0); err != nil {
			t.Fatal(err)
		}
		l, err := c.Logits()
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	base := logits()
	// The same decode twice, with no adapter change, is identical.
	if d := maxAbsDiff(base, logits()); d != 0 {
		t.Fatalf("repeat decode differs by %v", d)
	}
	c.SetAdapter(za, 1)
	if d := maxAbsDiff(base, logits()); d > 1e-5 {
		t.Errorf("zero-B adapter changed logits by %v", d)
	}
	c.SetAdapter(ra, 1)
	withRand := logits()
	if d := maxAbsDiff(base, withRand); d < 1e-3 {
		t.Errorf("random adapter changed logits by only %v", d)
	}
	// Switching between adapters really switches, both ways.
	c.SetAdapter(oa, 1)
	withOther := logits()
	if d := maxAbsDiff(withRand, withOther); d < 1e-3 {
		t.Errorf("switching adapters changed logits by only %v", d)
	}
	c.SetAdapter(ra, 1)
	if d := maxAbsDiff(withRand, logits()); d > 1e-5 {
		t.Errorf("switching back differs by %v", d)
	}
	// Half the scale lands between base and full.
	c.SetAdapter(ra, 0.5)
	half := logits()
	if dh, df := maxAbsDiff(base, half), maxAbsDiff(base, withRand); dh <= 1e-4 || dh >= df {
		t.Errorf("scale 0.5 moved logits %v, scale 1 moved %v", dh, df)
	}
	c.SetAdapter(nil, 0)
	if d := maxAbsDiff(base, logits()); d > 1e-5 {
		t.Errorf("removing the adapter left a difference of %v", d)
	}
	// Generation goes through the same path: a second context with the
	// adapter generates like the first.
	c.SetAdapter(ra, 1)
	g1, err := c.Generate(context.Background(), "Once upon a time", llm.GenerateOptions{MaxTokens: 20})
	if err != nil {
		t.Fatal(err)
	}
	c2 := newCtx(t, m, ContextParams{NCtx: 256})
	c2.SetAdapter(ra, 1)
	g2, err := c2.Generate(context.Background(), "Once upon a time", llm.GenerateOptions{MaxTokens: 20})
	if err != nil {
		t.Fatal(err)
	}
	if g1.Text != g2.Text {
		t.Errorf("same adapter, two contexts: %q vs %q", g1.Text, g2.Text)
	}
}

func TestAdapterBadInput(t *testing.T) {
	m := stories(t)
	dir := t.TempDir()
	if _, err := LoadAdapter(m, filepath.Join(dir, "missing.gguf")); err == nil {
		t.Error("missing adapter loaded")
	}
	// An adapter for a model of another width is rejected, not applied.
	wrong := filepath.Join(dir, "wrong.gguf")
	pairs := []gguf.LoRAPair{{Base: "blk.0.attn_q", In: 128, Out: 128, Rank: 2, A: make([]float32, 256), B: make([]float32, 256)}}
	if err := gguf.WriteLoRA(context.Background(), wrong, "llama", 2, pairs); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAdapter(m, wrong); err == nil {
		t.Error("adapter with wrong shapes loaded")
	}
}
