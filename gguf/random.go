package gguf

import (
	"hash/fnv"
	"io"
	"math/rand/v2"
)

// randomTensor returns a tensor writer that generates n values, normal with
// standard deviation std (all ones when std is 0), encodes them as t and
// writes them in chunks. The values depend only on seed and name, so a
// tensor is the same whatever else the file holds.
func randomTensor(seed uint64, name string, std float32, t TensorType, n uint64) func(io.Writer) error {
	return func(w io.Writer) error {
		h := fnv.New64a()
		h.Write([]byte(name))
		rng := rand.New(rand.NewPCG(seed, h.Sum64()))
		const chunk = 1 << 16 // a multiple of every block size
		vals := make([]float32, chunk)
		var buf []byte
		for n > 0 {
			m := min(n, chunk)
			fillNormal(rng, vals[:m], std)
			var err error
			if buf, err = AppendFloat32(buf[:0], t, vals[:m]); err != nil {
				return err
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
			n -= m
		}
		return nil
	}
}

func fillNormal(rng *rand.Rand, vals []float32, std float32) {
	if std == 0 {
		for i := range vals {
			vals[i] = 1
		}
		return
	}
	for i := range vals {
		vals[i] = float32(rng.NormFloat64()) * std
	}
}
