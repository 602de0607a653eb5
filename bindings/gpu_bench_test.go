package bindings

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/llm"
)

// Benchmarks of a GPU host, run by scripts/gpu-check.sh: training at the
// peer benchmark's shapes (../shared/gpu/peer_hf.py: one 2048-token window,
// LoRA r8 on the seven projections, AdamW) and decoding with every layer
// offloaded, codeloom's Generate against the bare C loop.

// BenchmarkGPUTrainStep reports tok/s, the trainer's engine memory, how
// many bytes a step uploads and the model FLOP rate (trainFLOPs per token).
func BenchmarkGPUTrainStep(b *testing.B) {
	needGPU(b)
	const T = 2048
	for _, shape := range []struct {
		name string
		cfg  gguf.TinyLlamaConfig
	}{
		{"smol135m", smolShape(gguf.Q8_0)},
		{"qwen05b", gguf.Qwen05BShape(gguf.Q8_0)},
	} {
		path := filepath.Join(os.TempDir(), "codeloom-bench", shape.name+"-q8_0.gguf")
		if _, err := os.Stat(path); err != nil {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				b.Fatal(err)
			}
			shape.cfg.Seed = 1
			if err := gguf.WriteTinyLlama(context.Background(), path, shape.cfg); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(shape.name+"/lora-r8", func(b *testing.B) {
			tr, err := NewTrainer(path, TrainerOptions{Rank: 8, GPU: true, Threads: DefaultThreads()})
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			w := NextTokenWindow(randomTokens(T, tr.Info().Vocab, 1))
			step := func(i int) {
				if _, err := tr.Accumulate(w, 1); err != nil {
					b.Fatal(err)
				}
				if err := tr.Update(OptimizerStep{LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: int64(i + 1)}); err != nil {
					b.Fatal(err)
				}
			}
			step(0) // builds and allocates the graph
			up := tr.Counters().UploadedBytes
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				step(i + 1)
			}
			// Accumulate reads the loss back, so each step has finished.
			secs := time.Since(start).Seconds()
			tps := float64(b.N*T) / secs
			b.ReportMetric(tps, "tok/s")
			b.ReportMetric(float64(tr.MemoryBytes())/(1<<20), "MiB")
			b.ReportMetric(float64(tr.Counters().UploadedBytes-up)/float64(b.N)/(1<<20), "upload_MiB/step")
			b.ReportMetric(tps*loraFLOPs(tr.Info(), T)/1e12, "model_TFLOP/s")
		})
	}
}

// loraFLOPs estimates the arithmetic of one LoRA training token: the frozen
// projections' forward and input gradients (2 + 2 FLOPs per weight, no
// weight gradient), and attention's scores and mixing over an average of
// T/2 keys, three times over (forward, and two products backward). The
// adapters themselves are a fraction of a percent and left out.
func loraFLOPs(i TrainerInfo, T int) float64 {
	d, L, hd := float64(i.Embedding), float64(i.Layers), float64(i.Embedding)/float64(i.Heads)
	proj := 2*d*d + 2*d*hd*float64(i.HeadsKV) + 3*d*float64(i.FeedForward)
	weights := L*proj + d*float64(i.Vocab)
	attn := 3 * 2 * 2 * (float64(T) / 2) * d * L
	return 4*weights + attn
}

// BenchmarkGPUDecode is BenchmarkDecode with every layer on the GPU and the
// issue's shape: a 512-token prompt and 128 generated tokens, a fresh
// prompt each time (no cache to reuse).
func BenchmarkGPUDecode(b *testing.B) {
	needGPU(b)
	const prompt, gen = 512, 128
	path := qwenShaped(b, gguf.Q8_0)
	m, err := LoadModel(path, ModelParams{GPULayers: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	toks := benchTokens(prompt)
	text := m.Detokenize(toks)
	b.Run("codeloom", func(b *testing.B) {
		c, err := m.NewContext(ContextParams{NCtx: 1024, Threads: DefaultThreads()})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		var pt, gt, pn, gn float64
		for i := 0; i < b.N; i++ {
			g, err := c.Generate(context.Background(), text, llm.GenerateOptions{MaxTokens: gen})
			if err != nil {
				b.Fatal(err)
			}
			pt += g.Timings.Prompt.Seconds()
			gt += g.Timings.Gen.Seconds()
			pn += float64(g.PromptTokens)
			gn += float64(g.CompletionTokens - 1)
		}
		b.ReportMetric(pn/pt, "prompt_tok/s")
		b.ReportMetric(gn/gt, "gen_tok/s")
	})
	b.Run("bare", func(b *testing.B) {
		ptoks, err := m.Tokenize(text, true)
		if err != nil {
			b.Fatal(err)
		}
		var pt, gt, pn, gn float64
		for i := 0; i < b.N; i++ {
			n, tp, tg, err := m.BareLoop(ptoks, gen, 1024, DefaultThreads())
			if err != nil {
				b.Fatal(err)
			}
			pt += tp.Seconds()
			gt += tg.Seconds()
			pn += float64(len(ptoks))
			gn += float64(n)
		}
		b.ReportMetric(pn/pt, "prompt_tok/s")
		b.ReportMetric(gn/gt, "gen_tok/s")
	})
}
