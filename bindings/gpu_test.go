package bindings

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/llm"
)

// Tests of a GPU host. They run where a GPU backend is loaded (make cuda
// puts it in bin/lib; scripts/gpu-check.sh carries these test binaries to a
// GPU machine and runs them there) and skip elsewhere: the CPU half of each
// is covered by the tests beside them.

func needGPU(t testing.TB) {
	t.Helper()
	if _, ok := GPUFreeMemory(); !ok {
		t.Skip("no GPU backend loaded (make cuda, or CODELOOM_LIB_PATH naming the folder of libggml-cuda.so)")
	}
}

// Contexts and models are created and freed in every order the product
// uses with all layers on the GPU, where freeing a context once crashed.
func TestGPULifecycle(t *testing.T) {
	needGPU(t)
	lifecycle(t, ModelParams{GPULayers: -1})
}

// Greedy generation on the GPU gives the CPU's text, and the automatic
// layer count offloads the whole small model.
func TestGPUTextMatchesCPU(t *testing.T) {
	needGPU(t)
	path := testfixture.Path(t, "stories260K.gguf")
	if got := resolveGPULayers(headerOf(t, path), AutoGPULayers); got != -1 {
		t.Errorf("auto offload of a 1 MB model: %d layers, want -1 (all)", got)
	}
	text := func(p ModelParams) string {
		m, err := LoadModel(path, p)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		c, err := m.NewContext(ContextParams{NCtx: 256, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		g, err := c.Generate(context.Background(), "Once upon a time", llm.GenerateOptions{MaxTokens: 48})
		if err != nil {
			t.Fatal(err)
		}
		return g.Text
	}
	cpu, gpu := text(ModelParams{}), text(ModelParams{GPULayers: -1})
	if cpu != gpu {
		t.Fatalf("GPU text differs from the CPU's:\nCPU: %q\nGPU: %q", cpu, gpu)
	}
}

// Training on the GPU computes the CPU's loss, step after step, for a LoRA
// adapter on a quantized and an F16 base and for full training, one window and two
// side by side in turn; and every node of the step graph runs on the GPU
// (one split, none on the CPU).
func TestGPUTrainLossMatchesCPU(t *testing.T) {
	needGPU(t)
	small := gguf.TinyLlamaConfig{Arch: "llama", Embd: 64, Layers: 2, Heads: 4, HeadsKV: 2, FF: 128, Seed: 5}
	// Past 65,535 tokens full training's embedding gradient runs on the
	// CPU (CUDA's GET_ROWS_BACK cannot launch it); LoRA needs no such node.
	big := gguf.TinyLlamaConfig{Vocab: 70000, Embd: 64, Layers: 1, Heads: 2, FF: 128, Seed: 4}
	for _, tc := range []struct {
		name string
		cfg  gguf.TinyLlamaConfig
		typ  gguf.TensorType
		opt  TrainerOptions
	}{
		{"lora-q8_0", small, gguf.Q8_0, TrainerOptions{Rank: 8, Seed: 3}},
		{"lora-f16", small, gguf.F16, TrainerOptions{Rank: 8, Seed: 3}}, // 16-bit products (tensor cores)
		{"full-f32", small, gguf.F32, TrainerOptions{Full: true, Seed: 3}},
		{"lora-q8_0-vocab70k", big, gguf.Q8_0, TrainerOptions{Rank: 8, Seed: 3}},
		{"full-f32-vocab70k", big, gguf.F32, TrainerOptions{Full: true, Seed: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.gguf")
			cfg := tc.cfg
			cfg.Type = tc.typ
			if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
				t.Fatal(err)
			}
			whole := !tc.opt.Full || cfg.Vocab <= 65535 // else the embedding gradient runs on the CPU
			losses := func(gpu bool) []float32 {
				o := tc.opt
				o.GPU, o.Threads = gpu, 2
				tr := newTrainer(t, path, o)
				w := NextTokenWindow(randomTokens(128, tr.Info().Vocab, 7))
				pair := []Window{w, packedWindow(randomTokens(128, tr.Info().Vocab, 8), 50)}
				var out []float32
				for step := int64(1); step <= 6; step++ {
					batch := pair[:1+step%2]
					l, err := tr.AccumulateBatch(batch, 1/float32(len(batch)))
					if err != nil {
						t.Fatal(err)
					}
					p, err := tr.Placement(false)
					if err != nil || (gpu && whole && (p.Splits != 1 || p.OffDevice != 0)) || (gpu && !whole && p.OffDevice == 0) {
						t.Errorf("step %d on the GPU: %d splits, %d nodes off the GPU (%v); CUDA refuses %v", step, p.Splits,
							p.OffDevice, err, p.CUDARefused)
					}
					if err := tr.Update(OptimizerStep{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: step}); err != nil {
						t.Fatal(err)
					}
					out = append(out, l)
				}
				return out
			}
			cpu, gpu := losses(false), losses(true)
			t.Logf("CPU %v\nGPU %v", cpu, gpu)
			for i := range cpu {
				if d := math.Abs(float64(cpu[i] - gpu[i])); d > 1e-3*math.Abs(float64(cpu[i])) {
					t.Fatalf("step %d: GPU loss %.6f, CPU %.6f", i+1, gpu[i], cpu[i])
				}
			}
		})
	}
}
