package cli

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/codeloom/codeloom/gguf"
)

// ggufHeader is what `models list`, `show` and `info` tell about a GGUF file
// from its header alone: reading it costs a few kilobytes, where loading the
// model through the engine costs its whole size (and fails for adapters).
type ggufHeader struct {
	Kind         string   `json:"kind"` // "model" or "adapter"
	Name         string   `json:"name,omitempty"`
	Architecture string   `json:"architecture"`
	Type         string   `json:"type"` // the tensor type of most matrices
	Params       uint64   `json:"params"`
	SizeBytes    int64    `json:"size_bytes"`
	Context      int64    `json:"context_length,omitempty"`
	Layers       int64    `json:"layers,omitempty"`
	Embedding    int64    `json:"embedding_length,omitempty"`
	ChatTemplate bool     `json:"chat_template"`
	Rank         int      `json:"rank,omitempty"`    // adapters
	Alpha        float32  `json:"alpha,omitempty"`   // adapters; 0 when the file gives none
	Targets      []string `json:"targets,omitempty"` // adapters: the base tensors adapted, without blk.N.
}

func readGGUFHeader(path string) (*ggufHeader, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := &ggufHeader{Kind: "model", SizeBytes: f.Size}
	h.Name, _ = f.String("general.name")
	h.Architecture, _ = f.String(gguf.KeyArch)
	if t, _ := f.String(gguf.KeyGeneralType); t == "adapter" {
		h.Kind = "adapter"
		h.Alpha, _ = f.Float32(gguf.KeyLoRAAlpha)
	}
	a := h.Architecture + "."
	h.Context, _ = f.Int(a + "context_length")
	h.Layers, _ = f.Int(a + "block_count")
	h.Embedding, _ = f.Int(a + "embedding_length")
	_, h.ChatTemplate = f.Lookup("tokenizer.chat_template")
	types := map[gguf.TensorType]int{}
	targets := map[string]bool{}
	for _, t := range f.Tensors {
		h.Params += t.NumElements()
		if len(t.Dims) == 2 {
			types[t.Type]++
		}
		if base, ok := strings.CutSuffix(t.Name, ".weight.lora_a"); ok && len(t.Dims) == 2 {
			// lora_a is [In, Rank], but [Rank, Out] for token_embd
			// (see gguf.LoRAPair).
			h.Rank = int(t.Dims[1])
			if base == "token_embd" {
				h.Rank = int(t.Dims[0])
			}
			targets[blockless(base)] = true
		}
	}
	h.Type = dominantType(types)
	h.Targets = slices.Sorted(maps.Keys(targets))
	return h, nil
}

// blockless drops the layer prefix: "blk.3.attn_q" is "attn_q".
func blockless(name string) string {
	if rest, ok := strings.CutPrefix(name, "blk."); ok {
		if _, after, found := strings.Cut(rest, "."); found {
			return after
		}
	}
	return name
}

func dominantType(counts map[gguf.TensorType]int) string {
	if len(counts) == 0 {
		return "-"
	}
	types := make([]gguf.TensorType, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	// Most matrices first; ties by type number so the answer is stable.
	slices.SortFunc(types, func(a, b gguf.TensorType) int {
		return cmp.Or(counts[b]-counts[a], cmp.Compare(a, b))
	})
	return types[0].String()
}

// humanCount writes a parameter count the way model cards do: 494M, 1.5B.
func humanCount(n uint64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
