package gguf

import (
	"hash/fnv"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// randomChunk is how many values one generator fills at a time; a multiple
// of every block size.
const randomChunk = 1 << 16

// randomTensor returns a tensor writer that generates n values, normal with
// standard deviation std (all ones when std is 0), encodes them as t and
// writes them in order. Chunks are generated in parallel, each from its own
// generator seeded by seed, the tensor's name and the chunk's index, so the
// bytes depend on nothing else: not the other tensors, not the core count.
func randomTensor(seed uint64, name string, std float32, t TensorType, n uint64) func(io.Writer) error {
	h := fnv.New64a()
	h.Write([]byte(name))
	stream := h.Sum64()
	return func(w io.Writer) error {
		workers := runtime.GOMAXPROCS(0)
		bufs := make([][]byte, workers) // per worker, reused across batches
		vals := make([][]float32, workers)
		errs := make([]error, workers)
		chunks := (n + randomChunk - 1) / randomChunk
		for first := uint64(0); first < chunks; first += uint64(workers) {
			batch := int(min(uint64(workers), chunks-first))
			var wg sync.WaitGroup
			for i := 0; i < batch; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := first + uint64(i)
					m := min(n-c*randomChunk, randomChunk)
					vals[i] = slices.Grow(vals[i][:0], int(m))[:m]
					fillRandom(vals[i], seed, stream^(c*0x9E3779B97F4A7C15), std)
					bufs[i], errs[i] = AppendFloat32(bufs[i][:0], t, vals[i])
				}()
			}
			wg.Wait()
			for i := 0; i < batch; i++ {
				if errs[i] != nil {
					return errs[i]
				}
				if _, err := w.Write(bufs[i]); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// fillRandom fills vals with normal values of standard deviation std from
// the generator (seed, stream), or with ones when std is 0.
func fillRandom(vals []float32, seed, stream uint64, std float32) {
	if std == 0 {
		for i := range vals {
			vals[i] = 1
		}
		return
	}
	rng := rand.New(rand.NewPCG(seed, stream))
	for i := range vals {
		vals[i] = float32(rng.NormFloat64()) * std
	}
}
