package bindings

/*
#include "ggml-backend.h"
*/
import "C"

import (
	"strconv"
	"strings"

	"github.com/codeloom/codeloom/gguf"
)

// AutoGPULayers as ModelParams.GPULayers offloads every layer that fits in
// the first GPU's free memory, and none when no GPU backend is loaded: the
// default of the command line, as llama.cpp and ollama have it.
const AutoGPULayers = -2

// gpuHeadroom is memory left free on the GPU beside the weights for the KV
// cache and compute buffers of a default context; a model that fits only
// without it is split between GPU and CPU.
const gpuHeadroom = 1 << 30

// GPUFreeMemory is the free memory of the first GPU device, and false when
// no GPU backend with a device is loaded.
func GPUFreeMemory() (free uint64, ok bool) {
	Init()
	for i := C.size_t(0); i < C.ggml_backend_dev_count(); i++ {
		dev := C.ggml_backend_dev_get(i)
		if C.ggml_backend_dev_type(dev) != C.GGML_BACKEND_DEVICE_TYPE_GPU {
			continue
		}
		var f, total C.size_t
		C.ggml_backend_dev_memory(dev, &f, &total)
		return uint64(f), true
	}
	return 0, false
}

// resolveGPULayers turns AutoGPULayers into a layer count for a model of
// these tensors; other values are returned as they are.
func resolveGPULayers(tensors []gguf.TensorInfo, layers int) int {
	if layers != AutoGPULayers {
		return layers
	}
	free, ok := GPUFreeMemory()
	if !ok {
		return 0
	}
	return layersThatFit(tensors, free)
}

// layersThatFit is how many of the model's layers fit in free bytes of GPU
// memory with headroom to spare: -1 (all, the output included) when the
// whole model does, otherwise the engine's count of repeating layers, which
// it offloads from the last one down.
func layersThatFit(tensors []gguf.TensorInfo, free uint64) int {
	perLayer := map[int]uint64{}
	var total uint64
	for _, t := range tensors {
		total += t.Size
		if rest, ok := strings.CutPrefix(t.Name, "blk."); ok {
			if n, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, '.'), 0)]); err == nil {
				perLayer[n] += t.Size
			}
		}
	}
	if free < gpuHeadroom {
		return 0
	}
	room := free - gpuHeadroom
	if total <= room {
		return -1
	}
	n := 0
	for l := len(perLayer) - 1; l >= 0 && perLayer[l] <= room; l-- {
		room -= perLayer[l]
		n++
	}
	return n
}
