package train

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/modelstore"
)

// tinyBase writes a small random llama model with a byte vocabulary; with
// fim it also has fill-in-the-middle tokens.
func tinyBase(t testing.TB, fim bool) string {
	t.Helper()
	tok := gguf.SPMByteTokenizer()
	if fim {
		tok = gguf.SPMByteTokenizer("<fim_prefix>", "<fim_suffix>", "<fim_middle>")
		n := len(tok.Tokens)
		for i := n - 3; i < n; i++ {
			tok.Types[i] = gguf.TokenControl
		}
		tok.IDs["fim_pre"], tok.IDs["fim_suf"], tok.IDs["fim_mid"] = uint32(n-3), uint32(n-2), uint32(n-1)
	}
	path := filepath.Join(t.TempDir(), "base.gguf")
	cfg := gguf.TinyLlamaConfig{Embd: 64, Layers: 2, Heads: 4, HeadsKV: 2, FF: 128, Ctx: 256, Seed: 7, Tokenizer: tok}
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		t.Fatal(err)
	}
	return path
}

// goRecords makes n small Go functions in the style of one repository.
func goRecords(n int, repo string) []dataset.Record {
	var out []dataset.Record
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("Add%d", i)
		code := fmt.Sprintf("func %s(a, b int) int {\n\treturn a + b + %d\n}\n", name, i%10)
		split := dataset.SplitTrain
		if i%5 == 4 {
			split = dataset.SplitValidation
		}
		out = append(out, dataset.Record{ID: dataset.ID(code), Repo: repo, Language: "go", Name: name,
			Kind: "function", Docstring: name + " adds two numbers.", Code: code, Split: split})
	}
	return out
}

// writeDataset writes records as a one-shard dataset folder.
func writeDataset(t testing.TB, recs []dataset.Record) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "data-00000.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readState reads the state recorded in a run's train.json.
func readState(t testing.TB, out string) State {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, modelstore.TrainFile))
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ State State }
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s.State
}
