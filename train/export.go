package train

import (
	"context"
	"fmt"
	"strings"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/gguf"
)

// loraPairs collects a LoRA trainer's tensors, which come in (lora_a, lora_b)
// order per base tensor, as adapter pairs.
func loraPairs(tr *bindings.Trainer) ([]gguf.LoRAPair, error) {
	ps := tr.Params()
	var out []gguf.LoRAPair
	for i := 0; i+1 < len(ps); i += 2 {
		base, okA := strings.CutSuffix(ps[i].Name, ".weight.lora_a")
		baseB, okB := strings.CutSuffix(ps[i+1].Name, ".weight.lora_b")
		if !okA || !okB || base != baseB {
			return nil, fmt.Errorf("trainable tensors %s and %s are not a LoRA pair", ps[i].Name, ps[i+1].Name)
		}
		a, err := tr.Get(i, bindings.ParamValue)
		if err != nil {
			return nil, err
		}
		b, err := tr.Get(i+1, bindings.ParamValue)
		if err != nil {
			return nil, err
		}
		out = append(out, gguf.LoRAPair{Base: base, In: int(ps[i].Shape[0]), Rank: int(ps[i].Shape[1]),
			Out: int(ps[i+1].Shape[1]), A: a, B: b})
	}
	return out, nil
}

// WriteAdapter writes the trainer's LoRA adapter in llama.cpp's format.
func WriteAdapter(ctx context.Context, path string, tr *bindings.Trainer, alpha float32) error {
	pairs, err := loraPairs(tr)
	if err != nil {
		return fmt.Errorf("write adapter %s: %w", path, err)
	}
	return gguf.WriteLoRA(ctx, path, tr.Info().Architecture, alpha, pairs)
}

// WriteFullModel writes a fully trained model: the base file's metadata and
// tensor layout with the trained values, each tensor in its base type
// (quantized bases cannot be fully trained).
func WriteFullModel(ctx context.Context, path, base string, tr *bindings.Trainer) error {
	f, err := gguf.Open(base)
	if err != nil {
		return fmt.Errorf("write model %s: %w", path, err)
	}
	defer f.Close()
	index := map[string]int{}
	for i, p := range tr.Params() {
		index[p.Name] = i
	}
	b := gguf.NewBuilder()
	b.SetKV(f.KV...)
	for _, t := range f.Tensors {
		i, ok := index[t.Name]
		if !ok {
			return fmt.Errorf("write model %s: tensor %s was not trained", path, t.Name)
		}
		v, err := tr.Get(i, bindings.ParamValue)
		if err != nil {
			return fmt.Errorf("write model %s: %w", path, err)
		}
		if err := b.AddFloat32(t.Name, t.Type, t.Dims, v); err != nil {
			return fmt.Errorf("write model %s: %w", path, err)
		}
	}
	return b.WriteFile(ctx, path)
}
