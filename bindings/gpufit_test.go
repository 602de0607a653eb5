package bindings

import (
	"fmt"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
)

func TestLayersThatFit(t *testing.T) {
	const mib = 1 << 20
	var model []gguf.TensorInfo
	for l := 0; l < 4; l++ {
		model = append(model, gguf.TensorInfo{Name: fmt.Sprintf("blk.%d.attn_q.weight", l), Size: 60 * mib},
			gguf.TensorInfo{Name: fmt.Sprintf("blk.%d.ffn_up.weight", l), Size: 40 * mib})
	}
	model = append(model, gguf.TensorInfo{Name: "token_embd.weight", Size: 100 * mib})
	for _, tc := range []struct {
		free uint64
		want int
	}{
		{free: gpuHeadroom + 500*mib, want: -1}, // 4 x 100 + 100: everything
		{free: gpuHeadroom + 499*mib, want: 4},  // all four layers, not the embeddings
		{free: gpuHeadroom + 250*mib, want: 2},
		{free: gpuHeadroom + 99*mib, want: 0},
		{free: gpuHeadroom / 2, want: 0},
	} {
		if got := layersThatFit(model, tc.free); got != tc.want {
			t.Errorf("free %d MiB: %d layers, want %d", tc.free/mib, got, tc.want)
		}
	}
}

// Without a GPU backend the automatic choice is the CPU, and a model loads
// with it as with 0.
func TestAutoGPULayersWithoutGPU(t *testing.T) {
	if _, ok := GPUFreeMemory(); ok {
		t.Skip("a GPU backend is loaded: TestGPU* cover this host")
	}
	path := testfixture.Path(t, "stories260K.gguf")
	if got := resolveGPULayers(headerOf(t, path), AutoGPULayers); got != 0 {
		t.Fatalf("no GPU: auto resolved to %d layers, want 0", got)
	}
	m, err := LoadModel(path, ModelParams{GPULayers: AutoGPULayers})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
}

// headerOf is the tensor infos of the GGUF file at path.
func headerOf(t testing.TB, path string) []gguf.TensorInfo {
	t.Helper()
	f, err := readGGUF("model", path)
	if err != nil {
		t.Fatal(err)
	}
	return f.Tensors
}
