package train

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/tokenizer"
)

// InitConfig describes a model made from scratch.
type InitConfig struct {
	Data    string // dataset whose train split the tokenizer learns from
	Out     string // model GGUF to write
	Name    string // general.name
	Vocab   int    // tokenizer size (byte tokens, merges and special tokens)
	Layers  int
	Dim     int // embedding width
	Heads   int
	HeadsKV int // 0: Heads
	FF      int // feed-forward width; 0: the SwiGLU convention 8/3·Dim rounded up to 32
	Ctx     int // context length
	Seed    uint64
}

// InitResult describes the model written.
type InitResult struct {
	Records    int   // training records the tokenizer learned from
	Vocab      int   // final vocabulary size
	Parameters int64 // weights in the model
}

// InitModel trains a byte-level BPE tokenizer on the train split of a
// dataset and writes a llama-architecture model with random weights (scaled
// as gguf.WriteTinyLlama documents) that `train --full` can then train.
func InitModel(ctx context.Context, c InitConfig) (*InitResult, error) {
	if c.Vocab < 300 || c.Layers < 1 || c.Dim < 8 || c.Heads < 1 || c.Ctx < 8 || c.Dim%c.Heads != 0 {
		return nil, fmt.Errorf("model init: want vocab >= 300, layers >= 1, ctx >= 8 and a width divisible by the heads (got vocab %d, layers %d, dim %d, heads %d, ctx %d)",
			c.Vocab, c.Layers, c.Dim, c.Heads, c.Ctx)
	}
	if c.FF == 0 {
		c.FF = (8*c.Dim/3 + 31) / 32 * 32
	}
	var texts []string
	err := dataset.Read(ctx, c.Data, func(r *dataset.Record) error {
		if r.Split != dataset.SplitValidation {
			texts = append(texts, r.Code)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("model init: %w", err)
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("model init: dataset %s has no training records", c.Data)
	}
	tok, err := tokenizer.Train(ctx, slices.Values(texts), c.Vocab, tokenizer.Options{})
	if err != nil {
		return nil, fmt.Errorf("model init: train tokenizer: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(c.Out), 0o755); err != nil {
		return nil, fmt.Errorf("model init: %w", err)
	}
	cfg := gguf.TinyLlamaConfig{Arch: "llama", Name: c.Name, Embd: c.Dim, Layers: c.Layers, Heads: c.Heads,
		HeadsKV: c.HeadsKV, FF: c.FF, Ctx: c.Ctx, Seed: c.Seed, Type: gguf.F32, Tokenizer: tok.Spec()}
	if err := gguf.WriteTinyLlama(ctx, c.Out, cfg); err != nil {
		return nil, fmt.Errorf("model init: %w", err)
	}
	f, err := gguf.Open(c.Out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res := &InitResult{Records: len(texts), Vocab: tok.Len()}
	for _, t := range f.Tensors {
		res.Parameters += int64(t.NumElements())
	}
	return res, nil
}
