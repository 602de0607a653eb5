package bindings

import (
	"testing"

	"github.com/codeloom/codeloom/gguf"
)

// Benchmarks of a GPU host, run by scripts/gpu-check.sh: training at the
// peer benchmark's shapes (../shared/gpu/peer_hf.py: one 2048-token window,
// LoRA r8 on the seven projections, AdamW) and decoding with every layer
// offloaded, codeloom's Generate against the bare C loop.

// BenchmarkGPUTrainStep reports what BenchmarkTrainStep does (tok/s, the
// trainer's engine memory, bytes uploaded a step, model TFLOP/s) at the
// peer's shapes on the GPU.
func BenchmarkGPUTrainStep(b *testing.B) {
	needGPU(b)
	const T = 2048
	for _, shape := range peerShapes() {
		path := shapedModel(b, shape.name+"-q8_0", shape.cfg)
		opt := TrainerOptions{Rank: 8, GPU: true, Threads: DefaultThreads()}
		b.Run(shape.name+"/lora-r8", func(b *testing.B) { benchTrain(b, path, opt, T) })
		if shape.name == "smol135m" { // shorter windows, where one alone leaves the GPU idle
			b.Run(shape.name+"/lora-r8-4x512/one-by-one", func(b *testing.B) { benchTrainBatch(b, path, opt, 512, 4, false) })
			b.Run(shape.name+"/lora-r8-4x512/side-by-side", func(b *testing.B) { benchTrainBatch(b, path, opt, 512, 4, true) })
		}
	}
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
	d := decodeBench{m: m, prompt: m.Detokenize(benchTokens(prompt)), gen: gen, nCtx: 1024, threads: DefaultThreads()}
	b.Run("codeloom", d.generate)
	b.Run("bare", d.bare)
}
