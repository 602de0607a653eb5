package bindings

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
)

// Every node of the training and evaluation graphs is one this engine
// copy's CUDA backend accepts, for each trainable architecture, frozen base
// type and mode, so that on a GPU the scheduler keeps a step in one piece
// instead of running refused nodes on the CPU (a copy down and back and a
// host synchronisation each). Heads are 64 wide, as in real models: the
// CUDA RMS_NORM_BACK (qwen3's per-head norms) needs rows of 32.
func TestTrainGraphStaysOnCUDA(t *testing.T) {
	for _, arch := range []string{"llama", "qwen2", "qwen3"} {
		for _, typ := range []gguf.TensorType{gguf.F32, gguf.Q8_0, gguf.F16, gguf.BF16} {
			for _, full := range []bool{false, true} {
				if full && typ != gguf.F32 {
					continue // full training needs F32 weights
				}
				name := fmt.Sprintf("%s/%s/full=%v", arch, typ, full)
				t.Run(name, func(t *testing.T) {
					path := filepath.Join(t.TempDir(), "m.gguf")
					cfg := gguf.TinyLlamaConfig{Arch: arch, Embd: 128, Layers: 2, Heads: 2, HeadsKV: 1, FF: 256,
						Type: typ, Seed: 3}
					if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
						t.Fatal(err)
					}
					tr := newTrainer(t, path, TrainerOptions{Full: full, Rank: 4, Seed: 1})
					w := packedWindow(randomTokens(48, tr.Info().Vocab, 2), 20)
					w2 := NextTokenWindow(randomTokens(48, tr.Info().Vocab, 3))
					if _, err := tr.AccumulateBatch([]Window{w, w2}, 1); err != nil { // windows side by side
						t.Fatal(err)
					}
					if _, _, err := tr.Eval(w); err != nil {
						t.Fatal(err)
					}
					for _, eval := range []bool{false, true} {
						p, err := tr.Placement(eval)
						if err != nil {
							t.Fatal(err)
						}
						if len(p.CUDARefused) > 0 || p.Splits > 1 || p.OffDevice > 0 {
							t.Errorf("eval=%v: %d nodes, %d splits, %d off the device; CUDA would refuse:\n%v",
								eval, p.Nodes, p.Splits, p.OffDevice, p.CUDARefused)
						}
					}
				})
			}
		}
	}
}

// The check itself refuses what CUDA refuses: ggml's own backward through
// a Q8_0 base is an OUT_PROD of quantized weights, which only the CPU runs.
func TestPlacementReportsRefusedNodes(t *testing.T) {
	tr := newTrainer(t, tinyModel(t, "llama", gguf.Q8_0), TrainerOptions{Rank: 4, SlowBackward: true})
	if _, err := tr.Placement(false); err == nil {
		t.Error("placement before any step: no error")
	}
	if _, err := tr.Accumulate(NextTokenWindow(randomTokens(32, tr.Info().Vocab, 1)), 1); err != nil {
		t.Fatal(err)
	}
	p, err := tr.Placement(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.CUDARefused) == 0 || !strings.HasPrefix(p.CUDARefused[0], "OUT_PROD (q8_0)") {
		t.Errorf("slow backward on a Q8_0 base: CUDA refusals %q, want OUT_PROD (q8_0)", p.CUDARefused)
	}
}

// With a vocabulary past 65,535 tokens (Qwen's has 151,936), LoRA's step
// stays whole on CUDA: the loss needs no GET_ROWS_BACK over vocabulary x
// rows, which CUDA accepts but cannot launch. Full training's embedding
// gradient is such a GET_ROWS_BACK; it is reported (and on CUDA the trainer
// runs it on the CPU).
func TestPlacementLargeVocabulary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big-vocab.gguf")
	cfg := gguf.TinyLlamaConfig{Vocab: 70000, Embd: 64, Layers: 1, Heads: 2, FF: 128, Seed: 4}
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		t.Fatal(err)
	}
	for _, full := range []bool{false, true} {
		tr := newTrainer(t, path, TrainerOptions{Full: full, Rank: 4})
		if _, err := tr.Accumulate(NextTokenWindow(randomTokens(32, tr.Info().Vocab, 1)), 1); err != nil {
			t.Fatal(err)
		}
		p, err := tr.Placement(false)
		if err != nil {
			t.Fatal(err)
		}
		cannot := len(p.CUDARefused) == 1 && strings.HasPrefix(p.CUDARefused[0], "GET_ROWS_BACK") &&
			strings.Contains(p.CUDARefused[0], "65535")
		if full != cannot {
			t.Errorf("full=%v on a 70000-token vocabulary: CUDA refusals %q", full, p.CUDARefused)
		}
	}
}

// packedWindow is two samples packed into one window, split at cut.
func packedWindow(toks []int32, cut int) Window {
	w := NextTokenWindow(toks)
	w.Seg = make([]int32, len(toks))
	for i := cut; i < len(toks); i++ {
		w.Seg[i] = 1
	}
	w.Labels = append([]int32{}, w.Labels...)
	w.Labels[cut-1] = -1 // no prediction across the boundary
	return w
}
