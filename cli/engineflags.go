package cli

import (
	"fmt"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/llm"
)

// modelFlags are the load and context flags shared by every command that
// runs a model.
func modelFlags() []ucli.Flag {
	return []ucli.Flag{
		gpuLayersFlag("layers to offload to the GPU: -1 = all, 0 = CPU only"),
		&ucli.IntFlag{Name: "main-gpu", Usage: "GPU that holds the model when it is not split"},
		&ucli.StringFlag{Name: "tensor-split", Usage: "share of the model per GPU, e.g. 3,1"},
		&ucli.BoolFlag{Name: "no-mmap", Usage: "read the model into memory instead of mapping it"},
		&ucli.IntFlag{Name: "threads", Aliases: []string{"t"}, Usage: "CPU threads", DefaultText: "the free physical cores", EnvVars: []string{"CODELOOM_THREADS"}},
		&ucli.IntFlag{Name: "ctx", Aliases: []string{"c"}, Usage: "context length in tokens", DefaultText: "the model's, at most 4096"},
	}
}

// gpuLayersFlag is --gpu-layers, whose default offloads every layer that
// fits when a GPU backend is loaded and none otherwise.
func gpuLayersFlag(usage string) ucli.Flag {
	return &ucli.IntFlag{Name: "gpu-layers", Aliases: []string{"ngl"}, Usage: usage, Value: bindings.AutoGPULayers,
		DefaultText: "every layer that fits on the GPU, none without one", EnvVars: []string{"CODELOOM_GPU_LAYERS"}}
}

// trainOnGPU is whether --gpu-layers asks training to run on the GPU: any
// count but 0, and by default when a GPU backend is loaded.
func trainOnGPU(layers int) bool {
	if layers == bindings.AutoGPULayers {
		_, ok := bindings.GPUFreeMemory()
		return ok
	}
	return layers != 0
}

func modelParams(c *ucli.Context) (bindings.ModelParams, error) {
	p := bindings.ModelParams{GPULayers: c.Int("gpu-layers"), MainGPU: c.Int("main-gpu"), NoMmap: c.Bool("no-mmap")}
	if p.GPULayers < -1 && p.GPULayers != bindings.AutoGPULayers {
		return p, usageError("--gpu-layers %d: want -1 (all) or more", p.GPULayers)
	}
	if s := c.String("tensor-split"); s != "" {
		for _, part := range strings.Split(s, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(part), 32)
			if err != nil || v < 0 {
				return p, usageError("--tensor-split %q: want non-negative numbers separated by commas", s)
			}
			p.TensorSplit = append(p.TensorSplit, float32(v))
		}
	}
	return p, nil
}

func contextParams(c *ucli.Context) (bindings.ContextParams, error) {
	p := bindings.ContextParams{NCtx: c.Int("ctx"), Threads: c.Int("threads")}
	if p.NCtx < 0 || p.NCtx > 1<<20 {
		return p, usageError("--ctx %d: want 0 (model default) to %d", p.NCtx, 1<<20)
	}
	if p.Threads < 0 || p.Threads > 1024 {
		return p, usageError("--threads %d: want 0 (default) to 1024", p.Threads)
	}
	return p, nil
}

// openSessionFlags opens the model named by path with the shared model and
// context flags, and the --adapter/--scale flags when the command has them.
func openSessionFlags(c *ucli.Context, path string) (*bindings.Session, error) {
	mp, err := modelParams(c)
	if err != nil {
		return nil, err
	}
	cp, err := contextParams(c)
	if err != nil {
		return nil, err
	}
	return bindings.OpenSession(path, bindings.SessionParams{Model: mp, Context: cp, Adapter: c.String("adapter"), Scale: float32(c.Float64("scale"))})
}

// sampleFlags are the sampling flags shared by generate, eval and serve.
func sampleFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.Float64Flag{Name: "temperature", Aliases: []string{"temp"}, Value: 0, Usage: "sampling temperature; 0 = greedy"},
		&ucli.IntFlag{Name: "top-k", Value: 40, Usage: "keep the k most likely tokens (0 = off)"},
		&ucli.Float64Flag{Name: "top-p", Value: 0.95, Usage: "nucleus sampling mass (1 = off)"},
		&ucli.Float64Flag{Name: "min-p", Value: 0.05, Usage: "drop tokens below this share of the top token's probability (0 = off)"},
		&ucli.Float64Flag{Name: "repeat-penalty", Value: 1.1, Usage: "penalty for repeating recent tokens (1 = off)"},
		&ucli.Int64Flag{Name: "seed", Value: -1, Usage: "sampling seed; -1 = random"},
	}
}

func sampleOptions(c *ucli.Context) (llm.SampleOptions, error) {
	o := llm.SampleOptions{
		Temperature:   float32(c.Float64("temperature")),
		TopK:          c.Int("top-k"),
		TopP:          float32(c.Float64("top-p")),
		MinP:          float32(c.Float64("min-p")),
		RepeatPenalty: float32(c.Float64("repeat-penalty")),
		Seed:          c.Int64("seed"),
	}
	if err := o.Validate(); err != nil {
		return o, usageError("%v", err)
	}
	return o, nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
