package bindings

import (
	"math"
	"math/rand"
	"strings"
	"testing"
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

// The training forward must compute the function llama.cpp serves: same
// loss on the same tokens, with and without the fast backward, F32 and
// quantized bases.
func TestTrainerForwardMatchesLlama(t *testing.T) {
	f32 := fixture(t, "stories260K.gguf")
	for _, tc := range []struct {
		name, path string
	}{{"f32", f32}} {
		t.Run(tc.name, func(t *testing.T) {
			toks := trainTokens(t, f32, 48)
			want, err := ReferenceLoss(tc.path, "", toks, 1)
			if err != nil {
				t.Fatal(err)
			}
			tr := newTrainer(t, tc.path, TrainerOptions{})
			got := meanLoss(t, tr, NextTokenWindow(toks))
			t.Logf("training forward %.6f, llama.cpp %.6f", got, want)
			if math.Abs(got-want) > 1e-4*want {
				t.Fatalf("training forward loss %.6f, llama.cpp %.6f", got, want)
			}
		})
	}
}

// The analytic gradient of a LoRA tensor (read back from one SGD step of
// learning rate 1) must match a central finite difference of the loss.
func TestTrainerGradientMatchesFiniteDifference(t *testing.T) {
	path := fixture(t, "stories260K.gguf")
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
