package train

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/internal/atomicfile"
)

// PEFT export: Hugging Face PEFT reads adapter_model.safetensors and
// adapter_config.json. The tensors are the same numbers as in adapter.gguf:
//
//	blk.N.attn_q.weight.lora_a [in, r]  ->  base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight [r, in]
//	blk.N.attn_q.weight.lora_b [r, out] ->  ...self_attn.q_proj.lora_B.weight [out, r]
//
// (ggml lists dimensions innermost first, PyTorch outermost first, so the
// bytes are identical.) attn_k/v/output map to self_attn.k_proj/v_proj/o_proj,
// ffn_gate/up/down to mlp.gate_proj/up_proj/down_proj. For the llama
// architecture the GGUF converter permutes the rows of the q and k
// projections to suit llama.cpp's RoPE; their lora_B rows are permuted back
// here (qwen2 and qwen3 keep Hugging Face's order).

// PEFTFiles are the file names of a PEFT adapter.
const (
	PEFTWeights = "adapter_model.safetensors"
	PEFTConfig  = "adapter_config.json"
)

var peftModules = map[string]string{
	"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
	"attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
}

var blockName = regexp.MustCompile(`^blk\.(\d+)\.(\w+)$`)

// PEFTName maps a GGUF base tensor name ("blk.3.attn_q") to its PEFT module
// name ("base_model.model.model.layers.3.self_attn.q_proj").
func PEFTName(base string) (string, error) {
	m := blockName.FindStringSubmatch(base)
	if m == nil || peftModules[m[2]] == "" {
		return "", fmt.Errorf("no PEFT name for tensor %s", base)
	}
	return "base_model.model.model.layers." + m[1] + "." + peftModules[m[2]], nil
}

// unpermuteRows undoes the converter's q/k row order for one lora_B
// ([out rows of r values]): GGUF row h·hd + 2i + j holds Hugging Face row
// h·hd + j·hd/2 + i.
func unpermuteRows(b []float32, out, r, heads int) []float32 {
	hd := out / heads
	res := make([]float32, len(b))
	for h := 0; h < heads; h++ {
		for i := 0; i < hd/2; i++ {
			for j := 0; j < 2; j++ {
				src := h*hd + 2*i + j
				dst := h*hd + j*hd/2 + i
				copy(res[dst*r:(dst+1)*r], b[src*r:(src+1)*r])
			}
		}
	}
	return res
}

// WritePEFT writes the trainer's adapter as a PEFT adapter into dir.
func WritePEFT(ctx context.Context, dir string, tr *bindings.Trainer, cfg Config) error {
	pairs, err := loraPairs(tr)
	if err != nil {
		return fmt.Errorf("export PEFT: %w", err)
	}
	info := tr.Info()
	tensors := map[string]safeTensor{}
	modules := map[string]bool{}
	for _, p := range pairs {
		name, err := PEFTName(p.Base)
		if err != nil {
			return fmt.Errorf("export PEFT: %w", err)
		}
		kind := blockName.FindStringSubmatch(p.Base)[2]
		module := peftModules[kind]
		modules[module[strings.LastIndex(module, ".")+1:]] = true
		b := p.B
		if info.Architecture == "llama" && (kind == "attn_q" || kind == "attn_k") {
			heads := info.Heads
			if kind == "attn_k" {
				heads = info.HeadsKV
			}
			b = unpermuteRows(b, p.Out, p.Rank, heads)
		}
		tensors[name+".lora_A.weight"] = safeTensor{shape: []int{p.Rank, p.In}, data: p.A}
		tensors[name+".lora_B.weight"] = safeTensor{shape: []int{p.Out, p.Rank}, data: b}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, PEFTWeights), encodeSafetensors(tensors)); err != nil {
		return fmt.Errorf("export PEFT: %w", err)
	}
	var targets []string
	for m := range modules {
		targets = append(targets, m)
	}
	sort.Strings(targets)
	conf := map[string]any{
		"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": cfg.Rank, "lora_alpha": cfg.Alpha,
		"target_modules": targets, "lora_dropout": 0.0, "bias": "none", "fan_in_fan_out": false,
		"inference_mode": true, "base_model_name_or_path": filepath.Base(cfg.Base),
	}
	return atomicfile.WriteJSON(filepath.Join(dir, PEFTConfig), conf)
}

type safeTensor struct {
	shape []int
	data  []float32
}

// encodeSafetensors lays tensors out as safetensors: an 8-byte little-endian
// header length, a JSON header of dtype, shape and byte offsets, then the
// data in header order.
func encodeSafetensors(tensors map[string]safeTensor) []byte {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	off := 0
	for _, n := range names {
		size := 4 * len(tensors[n].data)
		header[n] = map[string]any{"dtype": "F32", "shape": tensors[n].shape, "data_offsets": []int{off, off + size}}
		off += size
	}
	h, _ := json.Marshal(header)
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	for _, n := range names {
		for _, v := range tensors[n].data {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
		}
	}
	return out
}
