package train

import (
	"context"
	"fmt"
	"io"

	"github.com/codeloom/codeloom/gguf"
)

// MergeAdapter writes base with the LoRA adapter folded into its weights:
// W' = W + scale·(alpha/r)·B·A (scale·B·A when the adapter's alpha is 0, as
// llama.cpp applies it). Merged tensors keep the base's type (F32, F16, BF16,
// Q8_0 or Q4_0, re-encoded); every other tensor and all metadata are copied.
func MergeAdapter(ctx context.Context, basePath, adapterPath, out string, scale float32) error {
	ad, err := gguf.ReadLoRA(adapterPath)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	f, err := gguf.Open(basePath)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	defer f.Close()
	if arch, _ := f.String(gguf.KeyArch); arch != ad.Arch {
		return fmt.Errorf("merge: adapter is for %q, base %s is %q", ad.Arch, basePath, arch)
	}
	pairs := map[string]gguf.LoRAPair{}
	for _, p := range ad.Pairs {
		pairs[p.Base+".weight"] = p
	}
	b := gguf.NewBuilder()
	b.SetKV(f.KV...)
	for _, t := range f.Tensors {
		p, ok := pairs[t.Name]
		if !ok {
			if err := b.AddTensorFunc(t.Name, t.Type, t.Dims, copyTensor(f, t.Name)); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
			continue
		}
		delete(pairs, t.Name)
		if p.Base == "token_embd" {
			return fmt.Errorf("merge: adapters of token_embd are not supported")
		}
		if len(t.Dims) != 2 || int(t.Dims[0]) != p.In || int(t.Dims[1]) != p.Out {
			return fmt.Errorf("merge: adapter %s is %dx%d, base tensor is %v", p.Base, p.In, p.Out, t.Dims)
		}
		s := scale
		if ad.Alpha != 0 {
			s *= ad.Alpha / float32(p.Rank)
		}
		if err := b.AddTensorFunc(t.Name, t.Type, t.Dims, mergeTensor(f, t, p, s)); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	if len(pairs) > 0 {
		return fmt.Errorf("merge: the base lacks %d tensors the adapter adapts", len(pairs))
	}
	return b.WriteFile(ctx, out)
}

func copyTensor(f *gguf.File, name string) func(io.Writer) error {
	return func(w io.Writer) error {
		r, err := f.TensorReader(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		return err
	}
}

// mergeTensor adds s·B·A to the base tensor t (Out rows of In values).
func mergeTensor(f *gguf.File, t gguf.TensorInfo, p gguf.LoRAPair, s float32) func(io.Writer) error {
	return func(w io.Writer) error {
		raw, err := f.TensorData(t.Name)
		if err != nil {
			return err
		}
		x, err := gguf.DecodeFloat32(t.Type, raw)
		if err != nil {
			return fmt.Errorf("tensor %s: %w (merge into an F32, F16, BF16, Q8_0 or Q4_0 base)", t.Name, err)
		}
		for o := 0; o < p.Out; o++ {
			row := x[o*p.In : (o+1)*p.In]
			for k := 0; k < p.Rank; k++ {
				bk := s * p.B[o*p.Rank+k]
				a := p.A[k*p.In : (k+1)*p.In]
				for i := range row {
					row[i] += bk * a[i]
				}
			}
		}
		enc, err := gguf.AppendFloat32(nil, t.Type, x)
		if err != nil {
			return err
		}
		_, err = w.Write(enc)
		return err
	}
}
