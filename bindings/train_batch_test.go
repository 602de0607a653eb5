package bindings

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
)

// Windows side by side in one graph give the gradient and loss of one
// Accumulate per window, with packed samples and masked labels, for LoRA on
// llama, qwen2 and qwen3 (per-head norms), with and without grouped-query
// attention, F32 and Q8_0 bases, and full training; and
// the batch costs one upload where the windows one by one cost three.
func TestAccumulateBatchMatchesOneByOne(t *testing.T) {
	gqa := gguf.TinyLlamaConfig{Embd: 64, Layers: 2, Heads: 4, HeadsKV: 2, FF: 128, Seed: 5}
	mha := gqa
	mha.HeadsKV = 4
	for _, tc := range []struct {
		name string
		arch string
		cfg  gguf.TinyLlamaConfig
		typ  gguf.TensorType
		full bool
		// tol bounds the gradient's relative difference. Matrix products
		// of other shapes sum in other orders (about 1e-7 apart); where
		// the base is quantized, activations are quantized to 8 bits per
		// block of 32 before each product, and a value that moves across
		// a rounding step moves by 1/127 of its block: 1e-4 to 1e-3 in the
		// gradient seen here.
		tol float64
	}{
		{"llama-full-f32", "llama", gqa, gguf.F32, true, 1e-5},
		{"llama-mha-f32", "llama", mha, gguf.F32, false, 1e-4},
		{"qwen2-f32", "qwen2", gqa, gguf.F32, false, 1e-4},
		{"qwen3-f32", "qwen3", gqa, gguf.F32, false, 1e-4},
		{"llama-q8_0", "llama", gqa, gguf.Q8_0, false, 2e-3},
		{"qwen3-q8_0", "qwen3", gqa, gguf.Q8_0, false, 2e-3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.gguf")
			cfg := tc.cfg
			cfg.Arch, cfg.Type = tc.arch, tc.typ
			if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
				t.Fatal(err)
			}
			opt := TrainerOptions{Full: tc.full, Rank: 4, Seed: 3, Optimizer: SGD}
			one, batch := newTrainer(t, path, opt), newTrainer(t, path, opt)
			vocab := one.Info().Vocab
			ws := []Window{
				NextTokenWindow(randomTokens(40, vocab, 1)),
				packedWindow(randomTokens(40, vocab, 2), 15),
				NextTokenWindow(randomTokens(40, vocab, 3)),
			}
			ws[2].Labels = append([]int32{}, ws[2].Labels...)
			for i := 0; i < 30; i++ {
				ws[2].Labels[i] = -1 // a window scoring only its last ten tokens
			}
			before := make([][]float32, len(one.Params()))
			for _, tr := range []*Trainer{one, batch} {
				for i, p := range tr.Params() { // the same non-zero adapter in both
					v, _ := tr.Get(i, ParamValue)
					if strings.HasSuffix(p.Name, ".lora_b") {
						for j := range v {
							v[j] = float32(math.Sin(float64(j))) * 0.3
						}
						if err := tr.Set(i, ParamValue, v); err != nil {
							t.Fatal(err)
						}
					}
					before[i] = v
				}
			}

			var lossOne float64
			c0 := one.Counters()
			for _, w := range ws {
				l, err := one.Accumulate(w, 1/float32(len(ws)))
				if err != nil {
					t.Fatal(err)
				}
				lossOne += float64(l) / float64(len(ws))
			}
			c1 := batch.Counters()
			lossBatch, err := batch.AccumulateBatch(ws, 1/float32(len(ws)))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(float64(lossBatch)-lossOne) > 1e-5*lossOne {
				t.Errorf("loss: batch %.7f, one by one %.7f", lossBatch, lossOne)
			}
			if up := batch.Counters().Uploads - c1.Uploads; up != 1 {
				t.Errorf("a batch of %d windows made %d uploads, want 1", len(ws), up)
			}
			if up := one.Counters().Uploads - c0.Uploads; up != int64(len(ws)) {
				t.Errorf("%d windows one by one made %d uploads", len(ws), up)
			}

			// With SGD at learning rate 1 and no decay, value - update is
			// the accumulated gradient.
			step := OptimizerStep{LR: 1, Step: 1}
			if err := one.Update(step); err != nil {
				t.Fatal(err)
			}
			if err := batch.Update(step); err != nil {
				t.Fatal(err)
			}
			var diff, norm float64
			for i := range one.Params() {
				a, _ := one.Get(i, ParamValue)
				b, _ := batch.Get(i, ParamValue)
				for j := range a {
					ga, gb := float64(before[i][j]-a[j]), float64(before[i][j]-b[j])
					diff += (ga - gb) * (ga - gb)
					norm += ga * ga
				}
			}
			t.Logf("loss %.6f; gradient norm %.4g, batch differs by %.3g relative", lossOne, math.Sqrt(norm), math.Sqrt(diff/norm))
			if norm == 0 || math.Sqrt(diff/norm) > tc.tol {
				t.Errorf("gradient of the batch differs from one by one: relative %.3g (norm %.3g)", math.Sqrt(diff/norm), math.Sqrt(norm))
			}
		})
	}

	tr := newTrainer(t, tinyModel(t, "llama", gguf.F32), TrainerOptions{Rank: 4})
	vocab := tr.Info().Vocab
	_, err := tr.AccumulateBatch([]Window{NextTokenWindow(randomTokens(10, vocab, 1)), NextTokenWindow(randomTokens(12, vocab, 1))}, 1)
	if err == nil || !strings.Contains(err.Error(), "one length") {
		t.Errorf("windows of two lengths: %v", err)
	}
}
