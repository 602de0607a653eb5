package train

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/modelstore"
)

func TestPEFTName(t *testing.T) {
	for in, want := range map[string]string{
		"blk.0.attn_q":       "base_model.model.model.layers.0.self_attn.q_proj",
		"blk.12.attn_output": "base_model.model.model.layers.12.self_attn.o_proj",
		"blk.3.ffn_gate":     "base_model.model.model.layers.3.mlp.gate_proj",
		"blk.3.ffn_down":     "base_model.model.model.layers.3.mlp.down_proj",
	} {
		if got, err := PEFTName(in); err != nil || got != want {
			t.Errorf("PEFTName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := PEFTName("token_embd"); err == nil {
		t.Error("token_embd mapped")
	}
}

// permuteRows is the GGUF converter's q/k permutation for llama models:
// numpy's w.reshape(heads, 2, hd/2, r).swapaxes(1, 2).reshape(out, r).
func permuteRows(w []float32, out, r, heads int) []float32 {
	hd := out / heads
	res := make([]float32, len(w))
	for h := 0; h < heads; h++ {
		for i := 0; i < hd/2; i++ {
			for j := 0; j < 2; j++ {
				src := h*hd + j*hd/2 + i // [h][j][i] in the Hugging Face order
				dst := h*hd + i*2 + j    // [h][i][j] after swapaxes
				copy(res[dst*r:(dst+1)*r], w[src*r:(src+1)*r])
			}
		}
	}
	return res
}

func TestUnpermuteRowsInvertsConverter(t *testing.T) {
	const out, r, heads = 24, 3, 3
	hf := make([]float32, out*r)
	for i := range hf {
		hf[i] = float32(i)
	}
	if got := unpermuteRows(permuteRows(hf, out, r, heads), out, r, heads); !slices.Equal(got, hf) {
		t.Fatalf("unpermute(permute(x)) = %v", got)
	}
}

// The PEFT files hold the adapter's numbers under PEFT's names and shapes.
func TestWritePEFT(t *testing.T) {
	base := tinyBase(t, false)
	cfg := quickConfig(t, base, writeDataset(t, goRecords(20, "r")))
	cfg.MaxSteps, cfg.ExportPEFT, cfg.Targets = 3, true, []string{"attn_v", "ffn_up"}
	if _, err := Run(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(cfg.Out, PEFTWeights))
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	var header map[string]struct {
		Dtype   string
		Shape   []int
		Offsets []int `json:"data_offsets"`
	}
	if err := json.Unmarshal(b[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	data := b[8+n:]
	ad, err := gguf.ReadLoRA(filepath.Join(cfg.Out, modelstore.AdapterFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(header) != 1+2*len(ad.Pairs) {
		t.Fatalf("%d header entries for %d pairs", len(header), len(ad.Pairs))
	}
	for _, p := range ad.Pairs {
		name, _ := PEFTName(p.Base)
		for suffix, want := range map[string]struct {
			shape []int
			vals  []float32
		}{".lora_A.weight": {[]int{p.Rank, p.In}, p.A}, ".lora_B.weight": {[]int{p.Out, p.Rank}, p.B}} {
			h, ok := header[name+suffix]
			if !ok || h.Dtype != "F32" || !slices.Equal(h.Shape, want.shape) {
				t.Fatalf("%s%s: %+v, want shape %v", name, suffix, h, want.shape)
			}
			raw := data[h.Offsets[0]:h.Offsets[1]]
			for i, v := range want.vals {
				if got := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])); got != v {
					t.Fatalf("%s%s[%d] = %v, adapter has %v", name, suffix, i, got, v)
				}
			}
		}
	}
	var conf map[string]any
	cb, _ := os.ReadFile(filepath.Join(cfg.Out, PEFTConfig))
	if err := json.Unmarshal(cb, &conf); err != nil || conf["peft_type"] != "LORA" || conf["r"] != 8.0 ||
		!slices.Equal(toStrings(conf["target_modules"]), []string{"up_proj", "v_proj"}) {
		t.Fatalf("adapter_config.json %s (%v)", cb, err)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
