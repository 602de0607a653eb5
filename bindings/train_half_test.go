package bindings

import (
	"math"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
)

// F16 and BF16 bases keep their type in training memory (half of the F32
// they were converted to, and tensor-core products on a GPU): a LoRA run
// on them follows, step for step, the run on the same weights converted to
// F32 (what ggml's own backward, SlowBackward, still trains on), within the
// rounding of activations to 16 bits before each product: 1e-3 of the loss
// for F16 (11-bit mantissa), 2e-3 for BF16 (8 bits); 1.3e-4 and 1.7e-4 seen.
func TestHalfBasesStayHalf(t *testing.T) {
	for _, tc := range []struct {
		typ gguf.TensorType
		tol float64
	}{{gguf.F16, 1e-3}, {gguf.BF16, 2e-3}} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			path := tinyModel(t, "qwen2", tc.typ)
			run := func(slow bool) ([]float32, *Trainer) {
				tr := newTrainer(t, path, TrainerOptions{Rank: 4, Seed: 2, SlowBackward: slow})
				w := packedWindow(randomTokens(64, tr.Info().Vocab, 4), 30)
				var out []float32
				for step := int64(1); step <= 6; step++ {
					l, err := tr.Accumulate(w, 1)
					if err != nil {
						t.Fatal(err)
					}
					if err := tr.Update(OptimizerStep{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: step}); err != nil {
						t.Fatal(err)
					}
					out = append(out, l)
				}
				return out, tr
			}
			half, ht := run(false)
			f32, ft := run(true)
			t.Logf("%s kept: %v (%d bytes)\nas F32:  %v (%d bytes)", tc.typ, half, ht.MemoryBytes(), f32, ft.MemoryBytes())
			if got := ht.Info().BaseType; !strings.EqualFold(got, tc.typ.String()) {
				t.Errorf("base type in training memory %s, want %s", got, tc.typ)
			}
			if got := ft.Info().BaseType; got != "f32" {
				t.Errorf("with ggml's own backward the base is %s, want f32", got)
			}
			if half[len(half)-1] >= half[0] {
				t.Errorf("loss did not fall: %v", half)
			}
			for i := range half {
				if d := math.Abs(float64(half[i] - f32[i])); d > tc.tol*float64(f32[i]) {
					t.Errorf("step %d: loss %.6f on the %s base, %.6f converted to F32", i+1, half[i], tc.typ, f32[i])
				}
			}
		})
	}
}
