package bindings

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/codeloom/codeloom/gguf"
)

// smolShape is the shape of SmolLM2-135M (llama architecture, 30 layers,
// 576 wide, 9 heads with 3 KV heads, tied 49152-token embeddings).
func smolShape(t gguf.TensorType) gguf.TinyLlamaConfig {
	return gguf.TinyLlamaConfig{Name: "smollm2-135m-shape", Vocab: 49152, Embd: 576, Layers: 30, Heads: 9, HeadsKV: 3,
		FF: 1536, Ctx: 2048, TiedEmbeddings: true, Type: t}
}

// BenchmarkTrainStep measures training tokens/s of one optimizer step over a
// 256-token window on a SmolLM2-135M-shaped model (Q8_0 and F16 bases for
// LoRA, the F16 one also converted to F32 as ggml's own backward needs it;
// F32 for full training), and the engine memory the trainer holds.
func BenchmarkTrainStep(b *testing.B) {
	const T = 256
	if testing.Short() {
		b.Skip("writes two 135M-parameter models")
	}
	dir := b.TempDir()
	paths := map[gguf.TensorType]string{}
	for _, typ := range []gguf.TensorType{gguf.Q8_0, gguf.F32, gguf.F16} {
		paths[typ] = filepath.Join(dir, typ.String()+".gguf")
		if err := gguf.WriteTinyLlama(context.Background(), paths[typ], smolShape(typ)); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		typ  gguf.TensorType
		opt  TrainerOptions
	}{
		{"lora-r8", gguf.Q8_0, TrainerOptions{Rank: 8}},
		{"lora-r8-outprod", gguf.Q8_0, TrainerOptions{Rank: 8, SlowBackward: true}},
		{"lora-r16", gguf.Q8_0, TrainerOptions{Rank: 16}},
		{"lora-r8-f16", gguf.F16, TrainerOptions{Rank: 8}},
		{"lora-r8-f16-as-f32", gguf.F16, TrainerOptions{Rank: 8, SlowBackward: true}},
		{"full", gguf.F32, TrainerOptions{Full: true}},
	} {
		for _, threads := range []int{1, 2} {
			bc.opt.Threads = threads
			b.Run(fmt.Sprintf("%s/ctx%d/threads%d", bc.name, T, threads), func(b *testing.B) { benchTrain(b, paths[bc.typ], bc.opt, T) })
		}
	}
}

// peerShapes are the shapes of the GPU peer benchmark
// (../shared/gpu/peer_hf.py), with Q8_0 bases.
func peerShapes() []struct {
	name string
	cfg  gguf.TinyLlamaConfig
} {
	return []struct {
		name string
		cfg  gguf.TinyLlamaConfig
	}{{"smol135m", smolShape(gguf.Q8_0)}, {"qwen05b", gguf.Qwen05BShape(gguf.Q8_0)}}
}

// BenchmarkTrainStep2048 is BenchmarkGPUTrainStep on the CPU: one
// 2048-token window, LoRA r8, at the peer's shapes. Its point is the
// memory: the same graph and allocator as on a GPU, so the MiB it reports
// is what a GPU step allocates (the peer's is its peak allocation). Each
// step takes minutes on two cores: run it with -benchtime 1x.
func BenchmarkTrainStep2048(b *testing.B) {
	if testing.Short() {
		b.Skip("writes 135M- and 500M-parameter models")
	}
	for _, shape := range peerShapes() {
		path := shapedModel(b, shape.name+"-q8_0", shape.cfg)
		b.Run(shape.name+"/lora-r8", func(b *testing.B) { benchTrain(b, path, TrainerOptions{Rank: 8}, 2048) })
	}
}

// BenchmarkTrainMicroBatch holds four 64-token windows side by side in one
// graph (a micro-batch of 4) against the same windows one by one, LoRA r8
// on the SmolLM2-135M shape, one thread: tokens/s of each, in one run.
func BenchmarkTrainMicroBatch(b *testing.B) {
	if testing.Short() {
		b.Skip("writes a 135M-parameter model")
	}
	path := filepath.Join(b.TempDir(), "q8_0.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), path, smolShape(gguf.Q8_0)); err != nil {
		b.Fatal(err)
	}
	opt := TrainerOptions{Rank: 8, Threads: 1}
	b.Run("4x64/one-by-one", func(b *testing.B) { benchTrainBatch(b, path, opt, 64, 4, false) })
	b.Run("4x64/side-by-side", func(b *testing.B) { benchTrainBatch(b, path, opt, 64, 4, true) })
}

func benchTrain(b *testing.B, path string, opt TrainerOptions, T int) {
	benchTrainBatch(b, path, opt, T, 1, true)
}

// benchTrainBatch measures optimizer steps over n windows of T tokens,
// side by side in one graph (together) or one Accumulate each.
func benchTrainBatch(b *testing.B, path string, opt TrainerOptions, T, n int, together bool) {
	tr, err := NewTrainer(path, opt)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	ws := make([]Window, n)
	for i := range ws {
		ws[i] = NextTokenWindow(randomTokens(T, tr.Info().Vocab, int64(i+1)))
	}
	step := func(i int) {
		if together {
			if _, err := tr.AccumulateBatch(ws, 1/float32(n)); err != nil {
				b.Fatal(err)
			}
		} else {
			for _, w := range ws {
				if _, err := tr.Accumulate(w, 1/float32(n)); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := tr.Update(OptimizerStep{LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: int64(i + 1)}); err != nil {
			b.Fatal(err)
		}
	}
	step(0) // builds and allocates the graph
	before := tr.Counters()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		step(i + 1)
	}
	// Accumulate reads the loss back, so every step has finished here.
	tps := float64(b.N*T*n) / time.Since(start).Seconds()
	b.ReportMetric(tps, "tok/s")
	b.ReportMetric(float64(tr.MemoryBytes())/(1<<20), "MiB")
	after := tr.Counters()
	b.ReportMetric(float64(after.UploadedBytes-before.UploadedBytes)/float64(b.N)/(1<<20), "upload_MiB/step")
	b.ReportMetric(float64(after.Uploads-before.Uploads)/float64(b.N), "uploads/step")
	if p, err := tr.Placement(false); err == nil {
		b.ReportMetric(float64(p.Splits), "splits")
	}
	b.ReportMetric(tps*trainFLOPs(tr.Info(), T, opt.Full)/1e12, "model_TFLOP/s")
}

// trainFLOPs estimates the arithmetic of one training token: the
// projections' forward and input gradients (2 + 2 FLOPs per weight), plus
// their weight gradients (2 more) when every tensor trains, and attention's
// scores and mixing over an average of T/2 keys, three times over (forward,
// and two products backward). LoRA's own products are a fraction of a
// percent and left out.
func trainFLOPs(i TrainerInfo, T int, full bool) float64 {
	d, L, hd := float64(i.Embedding), float64(i.Layers), float64(i.Embedding)/float64(i.Heads)
	proj := 2*d*d + 2*d*hd*float64(i.HeadsKV) + 3*d*float64(i.FeedForward)
	weights := L*proj + d*float64(i.Vocab)
	attn := 3 * 2 * 2 * (float64(T) / 2) * d * L
	perWeight := 4.0
	if full {
		perWeight = 6
	}
	return perWeight*weights + attn
}
