package gguf

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// LoRA adapter metadata keys, checked strictly by llama.cpp.
const (
	KeyGeneralType = "general.type"
	KeyArch        = "general.architecture"
	KeyAdapterType = "adapter.type"
	KeyLoRAAlpha   = "adapter.lora.alpha"
)

// tokenEmbd is the one base tensor whose LoRA pair llama.cpp stores flipped.
const tokenEmbd = "token_embd"

// LoRAPair is the low-rank update ΔW = B·A of one base weight of ggml shape
// [In, Out] (Out rows of In values).
//
// A holds Rank rows of In values and B holds Out rows of Rank values, both
// row-major: the layout of PEFT's lora_A [r, in] and lora_B [out, r]. In the
// file they become <Base>.weight.lora_a of ggml shape [In, Rank] and
// .lora_b of [Rank, Out]; for token_embd llama.cpp expects them flipped, a
// [Rank, Out] and b [Rank, In], and A and B then hold those layouts.
type LoRAPair struct {
	Base    string // base tensor without ".weight", such as "blk.0.attn_q"
	In, Out int
	Rank    int
	A, B    []float32
}

func (p LoRAPair) dims() (a, b []uint64) {
	in, out, r := uint64(p.In), uint64(p.Out), uint64(p.Rank)
	if p.Base == tokenEmbd {
		return []uint64{r, out}, []uint64{r, in}
	}
	return []uint64{in, r}, []uint64{r, out}
}

func (p LoRAPair) check() error {
	switch {
	case p.Base == "" || strings.HasSuffix(p.Base, ".weight"):
		return fmt.Errorf("LoRA base %q: want a tensor name without .weight", p.Base)
	case p.In <= 0 || p.Out <= 0 || p.Rank <= 0:
		return fmt.Errorf("LoRA %s: sizes in %d, out %d, rank %d must be positive", p.Base, p.In, p.Out, p.Rank)
	}
	da, db := p.dims()
	if uint64(len(p.A)) != NumElements(da) || uint64(len(p.B)) != NumElements(db) {
		return fmt.Errorf("LoRA %s: %d A and %d B values, want %d and %d", p.Base, len(p.A), len(p.B), NumElements(da), NumElements(db))
	}
	return nil
}

// WriteLoRA writes a LoRA adapter for a base model of architecture arch in
// llama.cpp's format. llama.cpp scales each update by alpha/Rank (or by 1
// when alpha is 0) times the user's scale.
func WriteLoRA(ctx context.Context, path, arch string, alpha float32, pairs []LoRAPair) error {
	b := NewBuilder()
	b.Set(KeyGeneralType, Of("adapter"))
	b.Set(KeyArch, Of(arch))
	b.Set(KeyAdapterType, Of("lora"))
	b.Set(KeyLoRAAlpha, Of(alpha))
	for _, p := range pairs {
		if err := p.check(); err != nil {
			return fmt.Errorf("write adapter %s: %w", path, err)
		}
		da, db := p.dims()
		if err := b.AddFloat32(p.Base+".weight.lora_a", F32, da, p.A); err != nil {
			return fmt.Errorf("write adapter %s: %w", path, err)
		}
		if err := b.AddFloat32(p.Base+".weight.lora_b", F32, db, p.B); err != nil {
			return fmt.Errorf("write adapter %s: %w", path, err)
		}
	}
	return b.WriteFile(ctx, path)
}

// LoRA is an adapter read back from a file.
type LoRA struct {
	Arch  string
	Alpha float32
	Pairs []LoRAPair // sorted by Base
}

// ReadLoRA reads an adapter in llama.cpp's format (written by WriteLoRA or
// by llama.cpp's converter), converting its tensors to float32.
func ReadLoRA(path string) (*LoRA, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l, err := readLoRA(f)
	if err != nil {
		return nil, fmt.Errorf("read adapter %s: %w", path, err)
	}
	return l, nil
}

func readLoRA(f *File) (*LoRA, error) {
	if t, err := f.String(KeyGeneralType); err != nil || t != "adapter" {
		return nil, fmt.Errorf("%s is %q (%v), want \"adapter\"", KeyGeneralType, t, err)
	}
	if t, err := f.String(KeyAdapterType); err != nil || t != "lora" {
		return nil, fmt.Errorf("%s is %q (%v), want \"lora\"", KeyAdapterType, t, err)
	}
	l := &LoRA{}
	var err error
	if l.Arch, err = f.String(KeyArch); err != nil {
		return nil, err
	}
	if l.Alpha, err = f.Float32(KeyLoRAAlpha); err != nil && !errors.Is(err, ErrNoKey) {
		return nil, err
	}
	pairs := map[string]*LoRAPair{}
	for _, t := range f.Tensors {
		if err := addLoRATensor(f, t, pairs); err != nil {
			return nil, err
		}
	}
	for _, p := range pairs {
		if p.A == nil || p.B == nil {
			return nil, fmt.Errorf("LoRA %s lacks its lora_a or lora_b", p.Base)
		}
		if err := p.check(); err != nil {
			return nil, err
		}
		l.Pairs = append(l.Pairs, *p)
	}
	slices.SortFunc(l.Pairs, func(a, b LoRAPair) int { return strings.Compare(a.Base, b.Base) })
	return l, nil
}

// addLoRATensor files one tensor of an adapter into its pair, taking the
// sizes from its shape; norm vectors are skipped as llama.cpp skips them.
func addLoRATensor(f *File, t TensorInfo, pairs map[string]*LoRAPair) error {
	name, isA := strings.CutSuffix(t.Name, ".weight.lora_a")
	name, isB := strings.CutSuffix(name, ".weight.lora_b")
	if !isA && !isB {
		if strings.HasSuffix(t.Name, "_norm.weight") {
			return nil
		}
		return fmt.Errorf("tensor %q is neither lora_a nor lora_b", t.Name)
	}
	if len(t.Dims) != 2 {
		return fmt.Errorf("tensor %q has %d dimensions, want 2", t.Name, len(t.Dims))
	}
	vals, err := f.TensorFloat32(t.Name)
	if err != nil {
		return err
	}
	p := pairs[name]
	if p == nil {
		p = &LoRAPair{Base: name}
		pairs[name] = p
	}
	d0, d1 := int(t.Dims[0]), int(t.Dims[1])
	flipped := name == tokenEmbd
	switch {
	case isA && flipped: // [Rank, Out]
		p.A, p.Rank, p.Out = vals, d0, d1
	case isA: // [In, Rank]
		p.A, p.In, p.Rank = vals, d0, d1
	case flipped: // B [Rank, In]
		p.B, p.In = vals, d1
	default: // B [Rank, Out]
		p.B, p.Out = vals, d1
	}
	return nil
}
