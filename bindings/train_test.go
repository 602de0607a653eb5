package bindings

import (
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
)

// trainTokens tokenizes a small repetitive Go snippet with the fixture's
// vocabulary, n tokens long.
func trainTokens(t testing.TB, path string, n int) []int32 {
	t.Helper()
	m, err := LoadModel(path, ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	toks, err := m.Tokenize(strings.Repeat("func add(a, b int) int { return a + b }\n", 40), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) < n {
		t.Fatalf("only %d tokens", len(toks))
	}
	return toks[:n]
}

func newTrainer(t testing.TB, path string, o TrainerOptions) *Trainer {
	t.Helper()
	if o.Threads == 0 {
		o.Threads = 1
	}
	tr, err := NewTrainer(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

func meanLoss(t testing.TB, tr *Trainer, w Window) float64 {
	t.Helper()
	nll, n, err := tr.Eval(w)
	if err != nil {
		t.Fatal(err)
	}
	return nll / float64(n)
}

// tinyModel writes a random model of the given architecture and weight type.
func tinyModel(t testing.TB, arch string, typ gguf.TensorType) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), arch+"-"+typ.String()+".gguf")
	cfg := gguf.TinyLlamaConfig{Arch: arch, Embd: 64, Layers: 2, Heads: 4, HeadsKV: 2, FF: 128, Type: typ, Seed: 5}
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		t.Fatal(err)
	}
	return path
}

// tiedQwen2 writes a qwen2 model whose output projection is its token
// embedding, as Qwen2.5-0.5B's.
func tiedQwen2(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "qwen2-tied.gguf")
	cfg := gguf.TinyLlamaConfig{Arch: "qwen2", Embd: 64, Layers: 2, Heads: 4, HeadsKV: 2, FF: 128, Type: gguf.Q8_0,
		Seed: 8, TiedEmbeddings: true}
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		t.Fatal(err)
	}
	return path
}

// yarnQwen2 is a qwen2 model with YaRN RoPE scaling (factor 4 from 32
// tokens), as long-context Qwen2.5 files declare it.
func yarnQwen2(t testing.TB) string {
	return withKV(t, tinyModel(t, "qwen2", gguf.F32), gguf.KV{Key: "qwen2.rope.scaling.type", Value: gguf.Of("yarn")},
		gguf.KV{Key: "qwen2.rope.scaling.factor", Value: gguf.Of(float32(4))},
		gguf.KV{Key: "qwen2.rope.scaling.original_context_length", Value: gguf.Of(uint32(32))})
}

// withKV rewrites a model with extra metadata.
func withKV(t testing.TB, path string, kv ...gguf.KV) string {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := gguf.NewBuilder()
	b.SetKV(f.KV...)
	b.SetKV(kv...)
	for _, ti := range f.Tensors {
		data, err := f.TensorData(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.AddTensor(ti.Name, ti.Type, ti.Dims, data); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "kv.gguf")
	if err := b.WriteFile(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	return out
}

// q4kModel writes a random llama model wide enough for K-quants (rows of 256)
// and quantizes it to Q4_K_M with llama.cpp.
func q4kModel(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	f32 := filepath.Join(dir, "f32.gguf")
	cfg := gguf.TinyLlamaConfig{Embd: 256, Layers: 1, Heads: 4, FF: 512, Seed: 6}
	if err := gguf.WriteTinyLlama(context.Background(), f32, cfg); err != nil {
		t.Fatal(err)
	}
	q4k := filepath.Join(dir, "q4_k_m.gguf")
	if err := Quantize(f32, q4k, "q4_k_m", 1); err != nil {
		t.Fatal(err)
	}
	return q4k
}

func randomTokens(n, vocab int, seed int64) []int32 {
	rng := rand.New(rand.NewSource(seed))
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(3 + rng.Intn(vocab-3))
	}
	return out
}

// The training forward must compute the function llama.cpp serves: the same
// loss on the same tokens for every supported architecture and base type.
func TestTrainerForwardMatchesLlama(t *testing.T) {
	cases := []struct {
		name, path string
		tokens     func() []int32
	}{
		{"stories260K", testfixture.Path(t, "stories260K.gguf"), nil},
		{"llama-q8_0", tinyModel(t, "llama", gguf.Q8_0), nil},
		{"llama-q4_0", tinyModel(t, "llama", gguf.Q4_0), nil},
		{"llama-f16", tinyModel(t, "llama", gguf.F16), nil},
		{"llama-q4_k_m", q4kModel(t), nil},
		{"qwen2-f32", tinyModel(t, "qwen2", gguf.F32), nil},
		{"qwen3-f32", tinyModel(t, "qwen3", gguf.F32), nil},
		{"qwen2-tied-q8_0", tiedQwen2(t), nil},
		{"qwen2-yarn", yarnQwen2(t), nil},
		{"llama-linear-rope", withKV(t, tinyModel(t, "llama", gguf.F32),
			gguf.KV{Key: "llama.rope.scaling.factor", Value: gguf.Of(float32(2))}), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTrainer(t, tc.path, TrainerOptions{})
			toks := randomTokens(48, tr.Info().Vocab, 9)
			want, err := ReferenceLoss(tc.path, "", toks, 1)
			if err != nil {
				t.Fatal(err)
			}
			got := meanLoss(t, tr, NextTokenWindow(toks))
			t.Logf("%s: training forward %.6f, llama.cpp %.6f", tr.Info().BaseType, got, want)
			if math.Abs(got-want) > 1e-4*want {
				t.Fatalf("training forward loss %.6f, llama.cpp %.6f", got, want)
			}
		})
	}
}

// The analytic gradient of a LoRA tensor (read back from one SGD step of
// learning rate 1) must match a central finite difference of the loss.
func TestTrainerGradientMatchesFiniteDifference(t *testing.T) {
	path := testfixture.Path(t, "stories260K.gguf")
	toks := trainTokens(t, path, 32)
	w := NextTokenWindow(toks)
	for _, slow := range []bool{false, true} {
		tr := newTrainer(t, path, TrainerOptions{Optimizer: SGD, Rank: 4, Seed: 3, SlowBackward: slow,
			Targets: []string{"attn_q", "attn_v", "ffn_down"}})
		rng := rand.New(rand.NewSource(1))
		for i, p := range tr.Params() { // non-zero B so that A has a gradient too
			if strings.HasSuffix(p.Name, ".lora_b") {
				v := make([]float32, p.NumElements())
				for j := range v {
					v[j] = float32(rng.NormFloat64() * 0.05)
				}
				if err := tr.Set(i, ParamValue, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, pi := range []int{0, 1, len(tr.Params()) - 2} {
			before, err := tr.Get(pi, ParamValue)
			if err != nil {
				t.Fatal(err)
			}
			all := snapshot(t, tr)
			if _, err := tr.Accumulate(w, 1); err != nil {
				t.Fatal(err)
			}
			if err := tr.Update(OptimizerStep{LR: 1, Step: 1}); err != nil {
				t.Fatal(err)
			}
			after, _ := tr.Get(pi, ParamValue)
			restore(t, tr, all)
			k := 0
			for j := range before {
				if math.Abs(float64(before[j]-after[j])) > math.Abs(float64(before[k]-after[k])) {
					k = j
				}
			}
			analytic := float64(before[k] - after[k])
			const eps = 1e-2
			probe := append([]float32(nil), before...)
			probe[k] = before[k] + eps
			tr.Set(pi, ParamValue, probe)
			lp := meanLoss(t, tr, w)
			probe[k] = before[k] - eps
			tr.Set(pi, ParamValue, probe)
			lm := meanLoss(t, tr, w)
			tr.Set(pi, ParamValue, before)
			numeric := (lp - lm) / (2 * eps)
			t.Logf("slow=%v %s[%d]: analytic %.6g, finite difference %.6g", slow, tr.Params()[pi].Name, k, analytic, numeric)
			if math.Abs(analytic-numeric) > 0.02*math.Abs(numeric)+1e-4 {
				t.Errorf("slow=%v %s[%d]: analytic %.6g, finite difference %.6g", slow, tr.Params()[pi].Name, k, analytic, numeric)
			}
		}
	}
}

func snapshot(t testing.TB, tr *Trainer) [][]float32 {
	var out [][]float32
	for i := range tr.Params() {
		v, err := tr.Get(i, ParamValue)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func restore(t testing.TB, tr *Trainer, vals [][]float32) {
	for i, v := range vals {
		if err := tr.Set(i, ParamValue, v); err != nil {
			t.Fatal(err)
		}
	}
}

// loraPairs collects a trainer's LoRA tensors as adapter pairs.
func loraPairs(t testing.TB, tr *Trainer) []gguf.LoRAPair {
	t.Helper()
	var out []gguf.LoRAPair
	ps := tr.Params()
	for i := 0; i+1 < len(ps); i += 2 {
		a, err := tr.Get(i, ParamValue)
		if err != nil {
			t.Fatal(err)
		}
		b, err := tr.Get(i+1, ParamValue)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(ps[i].Name, ".weight.lora_a")
		out = append(out, gguf.LoRAPair{Base: base, In: int(ps[i].Shape[0]), Rank: int(ps[i].Shape[1]),
			Out: int(ps[i+1].Shape[1]), A: a, B: b})
	}
	return out
}

// Training lowers the loss, and the saved adapter makes llama.cpp compute
// exactly the loss the trainer reports, for each architecture and base type.
func TestTrainerAdapterReproducesLoss(t *testing.T) {
	for _, tc := range []struct {
		name string
		path func() string
	}{
		{"llama-f32", func() string { return tinyModel(t, "llama", gguf.F32) }},
		{"llama-q8_0", func() string { return tinyModel(t, "llama", gguf.Q8_0) }},
		{"llama-q4_k_m", func() string { return q4kModel(t) }},
		{"qwen2-f32", func() string { return tinyModel(t, "qwen2", gguf.F32) }},
		{"qwen2-tied-q8_0", func() string { return tiedQwen2(t) }},
		{"qwen2-yarn", func() string { return yarnQwen2(t) }},
		{"qwen3-q4_0", func() string { return tinyModel(t, "qwen3", gguf.Q4_0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path()
			tr := newTrainer(t, path, TrainerOptions{Rank: 4, Alpha: 8, Seed: 1})
			pattern := randomTokens(12, tr.Info().Vocab, 2)
			var toks []int32
			for len(toks) < 48 {
				toks = append(toks, pattern...)
			}
			w := NextTokenWindow(toks[:48])
			first := meanLoss(t, tr, w)
			for step := int64(1); step <= 25; step++ {
				if _, err := tr.Accumulate(w, 1); err != nil {
					t.Fatal(err)
				}
				if err := tr.Update(OptimizerStep{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: step}); err != nil {
					t.Fatal(err)
				}
			}
			last := meanLoss(t, tr, w)
			if last > 0.8*first {
				t.Fatalf("loss %.4f -> %.4f: did not fall by 20%%", first, last)
			}
			adapter := filepath.Join(t.TempDir(), "adapter.gguf")
			if err := gguf.WriteLoRA(context.Background(), adapter, tr.Info().Architecture, 8, loraPairs(t, tr)); err != nil {
				t.Fatal(err)
			}
			ref, err := ReferenceLoss(path, adapter, w.Tokens, 1)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("loss %.4f -> %.4f, llama.cpp with adapter %.6f", first, last, ref)
			if math.Abs(ref-last) > 1e-4*last {
				t.Fatalf("trainer loss %.6f, llama.cpp with the saved adapter %.6f", last, ref)
			}
		})
	}
}

// Samples packed into one window must not see each other: the window's loss
// equals the sum of the samples' losses evaluated alone.
func TestTrainerPackedSamplesAreIndependent(t *testing.T) {
	path := tinyModel(t, "qwen3", gguf.F32)
	tr := newTrainer(t, path, TrainerOptions{Rank: 4, Seed: 2})
	for i, p := range tr.Params() { // a non-zero adapter so that the model is not near-uniform
		v, _ := tr.Get(i, ParamValue)
		if strings.HasSuffix(p.Name, ".lora_b") {
			for j := range v {
				v[j] = float32(math.Sin(float64(j))) * 0.5
			}
			tr.Set(i, ParamValue, v)
		}
	}
	a, b := randomTokens(20, tr.Info().Vocab, 3), randomTokens(28, tr.Info().Vocab, 4)
	nllA, nA, err := tr.Eval(NextTokenWindow(a))
	if err != nil {
		t.Fatal(err)
	}
	nllB, nB, err := tr.Eval(NextTokenWindow(b))
	if err != nil {
		t.Fatal(err)
	}
	wa, wb := NextTokenWindow(a), NextTokenWindow(b)
	packed := Window{Tokens: append(append([]int32{}, a...), b...)}
	packed.Labels = append(append([]int32{}, wa.Labels...), wb.Labels...)
	for range a {
		packed.Seg = append(packed.Seg, 0)
	}
	for range b {
		packed.Seg = append(packed.Seg, 1)
	}
	nll, n, err := tr.Eval(packed)
	if err != nil {
		t.Fatal(err)
	}
	if n != nA+nB || math.Abs(nll-(nllA+nllB)) > 1e-4*nll {
		t.Fatalf("packed window: %d tokens, nll %.5f; apart: %d tokens, nll %.5f", n, nll, nA+nB, nllA+nllB)
	}
}

// Full training (every tensor trainable) of a tiny model lowers the loss.
func TestTrainerFullTrainingLowersLoss(t *testing.T) {
	path := tinyModel(t, "llama", gguf.F16)
	tr := newTrainer(t, path, TrainerOptions{Full: true})
	if tr.Info().Trainable < 100000 {
		t.Fatalf("only %d trainable values", tr.Info().Trainable)
	}
	w := NextTokenWindow(randomTokens(40, tr.Info().Vocab, 5))
	first := meanLoss(t, tr, w)
	for step := int64(1); step <= 10; step++ {
		if _, err := tr.Accumulate(w, 1); err != nil {
			t.Fatal(err)
		}
		if err := tr.Update(OptimizerStep{LR: 3e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: step}); err != nil {
			t.Fatal(err)
		}
	}
	if last := meanLoss(t, tr, w); last > 0.8*first {
		t.Fatalf("full training: loss %.4f -> %.4f", first, last)
	}
}

func TestTrainerRejectsBadInput(t *testing.T) {
	llama := tinyModel(t, "llama", gguf.Q8_0)
	missing := filepath.Join(t.TempDir(), "missing.gguf")
	for _, tc := range []struct {
		name, path string
		opt        TrainerOptions
		want       string
	}{
		{"missing model", missing, TrainerOptions{}, "no such file"},
		{"not gguf", writeFile(t, "junk"), TrainerOptions{}, "cannot read GGUF"},
		{"rank too large", llama, TrainerOptions{Rank: 100}, "larger than tensor"},
		{"unknown target", llama, TrainerOptions{Targets: []string{"attn_x"}}, "unknown LoRA target"},
		{"full on quantized", llama, TrainerOptions{Full: true}, "not a quantized one"},
		{"gpu without backend", llama, TrainerOptions{GPU: true}, "no GPU backend"},
		{"unsupported architecture", gemmaFile(t), TrainerOptions{}, "\"gemma\" cannot be trained"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.Threads = 1
			tr, err := NewTrainer(tc.path, tc.opt)
			if err == nil {
				tr.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
	tr := newTrainer(t, llama, TrainerOptions{Rank: 2})
	for _, tc := range []struct {
		name string
		w    Window
		want string
	}{
		{"empty", Window{}, "empty window"},
		{"token outside vocabulary", NextTokenWindow([]int32{1, 5000, 2}), "outside the vocabulary"},
		{"nothing scored", Window{Tokens: []int32{1, 2}, Seg: []int32{0, 0}, Labels: []int32{-1, -1}}, "no scored positions"},
		{"ragged", Window{Tokens: []int32{1, 2}, Seg: []int32{0}, Labels: []int32{2, -1}}, "segment ids"},
		{"out of memory", NextTokenWindow(randomTokens(1<<20, 259, 1)), "out of memory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tr.Accumulate(tc.w, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v does not mention %q", err, tc.want)
			}
		})
	}
}

// gemmaFile is a GGUF that claims an architecture without a backward pass.
func gemmaFile(t testing.TB) string {
	b := gguf.NewBuilder()
	b.Set(gguf.KeyArch, gguf.Of("gemma"))
	if err := b.AddFloat32("token_embd.weight", gguf.F32, []uint64{8, 4}, make([]float32, 32)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "gemma.gguf")
	if err := b.WriteFile(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t testing.TB, content string) string {
	p := filepath.Join(t.TempDir(), "file.gguf")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Gradients accumulate over micro-batches (scaled as asked) and are cleared
// by each update: one SGD step over two half-weighted windows moves the
// weights by the mean of the steps over each window alone.
func TestTrainerGradientAccumulation(t *testing.T) {
	tr := newTrainer(t, tinyModel(t, "llama", gguf.F32), TrainerOptions{Optimizer: SGD, Rank: 2, Seed: 4})
	w1 := NextTokenWindow(randomTokens(24, tr.Info().Vocab, 7))
	w2 := NextTokenWindow(randomTokens(16, tr.Info().Vocab, 8))
	start := snapshot(t, tr)
	delta := func(parts ...Window) []float32 {
		restore(t, tr, start)
		for _, w := range parts {
			if _, err := tr.Accumulate(w, 1/float32(len(parts))); err != nil {
				t.Fatal(err)
			}
		}
		if err := tr.Update(OptimizerStep{LR: 1, Step: 1}); err != nil {
			t.Fatal(err)
		}
		b, _ := tr.Get(1, ParamValue) // lora_b of the first target: the only non-zero gradient while B = 0
		d := make([]float32, len(b))
		for i := range b {
			d[i] = b[i] - start[1][i]
		}
		return d
	}
	both := delta(w1, w2)
	d1, d2 := delta(w1), delta(w2)
	var norm float64
	for i := range both {
		mean := (d1[i] + d2[i]) / 2
		if math.Abs(float64(both[i]-mean)) > 1e-5+1e-3*math.Abs(float64(mean)) {
			t.Fatalf("element %d: accumulated step %g, mean of single steps %g", i, both[i], mean)
		}
		norm += float64(mean * mean)
	}
	if norm == 0 {
		t.Fatal("no gradient reached lora_b")
	}
}
