package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/eval"
	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/modelstore"
)

// writeAdapter writes a rank-2 LoRA adapter with random A and B on every
// value projection of model, large enough to change its predictions.
func writeAdapter(t *testing.T, model, path string) {
	t.Helper()
	f, err := gguf.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64()) * 0.5
		}
		return v
	}
	var pairs []gguf.LoRAPair
	for i := 0; ; i++ {
		ti, ok := f.Tensor(fmt.Sprintf("blk.%d.attn_v.weight", i))
		if !ok {
			break
		}
		in, out := int(ti.Dims[0]), int(ti.Dims[1])
		pairs = append(pairs, gguf.LoRAPair{Base: fmt.Sprintf("blk.%d.attn_v", i), In: in, Out: out, Rank: 2, A: random(2 * in), B: random(out * 2)})
	}
	arch, err := f.String("general.architecture")
	if err != nil || len(pairs) == 0 {
		t.Fatalf("model %s: arch %q (%v), %d value projections", model, arch, err, len(pairs))
	}
	if err := gguf.WriteLoRA(context.Background(), path, arch, 0, pairs); err != nil {
		t.Fatal(err)
	}
}

// writeDataset writes a one-shard dataset: three validation records and one
// training record that eval must not use.
func writeDataset(t *testing.T, dir string) {
	t.Helper()
	recs := []dataset.Record{
		{ID: "a", Language: "python", Name: "double", QualifiedName: "double", Signature: "def double(x):", Docstring: "Return twice x.",
			Code: "def double(x):\n    \"\"\"Return twice x.\"\"\"\n    return x * 2\n", Split: dataset.SplitValidation},
		{ID: "b", Language: "go", Name: "Max", QualifiedName: "Max", Signature: "func Max(a, b int) int", Docstring: "Max returns the larger of a and b.",
			Code: "func Max(a, b int) int {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}", Split: dataset.SplitValidation},
		{ID: "c", Language: "python", Name: "greet", QualifiedName: "greet", Signature: "def greet(name):",
			Code: "def greet(name):\n    print('Once upon a time', name)\n", Split: dataset.SplitValidation},
		{ID: "d", Language: "go", Name: "Min", QualifiedName: "Min", Signature: "func Min(a, b int) int",
			Code: "func Min(a, b int) int {\n\treturn a\n}", Split: dataset.SplitTrain},
	}
	var b bytes.Buffer
	for _, r := range recs {
		line, _ := json.Marshal(r)
		b.Write(append(line, '\n'))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data-00000.jsonl"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

type evalJSON struct {
	Inputs []modelstore.Input `json:"inputs"`
	Runs   []struct {
		Name      string                        `json:"name"`
		Metrics   map[string]float64            `json:"metrics"`
		Languages map[string]map[string]float64 `json:"languages"`
	} `json:"runs"`
	Deltas map[string]float64 `json:"deltas"`
}

func runEvalCLI(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errOut
	err = app.Run(append([]string{"codeloom", "eval"}, args...))
	return out.String(), err
}

func readEvalJSON(t *testing.T, dir string) evalJSON {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, modelstore.EvalFile))
	if err != nil {
		t.Fatal(err)
	}
	var r evalJSON
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEvalEndToEnd evaluates the real stories260K model with and without a
// LoRA adapter on a small dataset and a Python task, through the command.
func TestEvalEndToEnd(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	model := testfixture.Path(t, "stories260K.gguf")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	writeDataset(t, data)
	adapter := filepath.Join(dir, "models", "tiny", "adapter.gguf")
	if err := os.MkdirAll(filepath.Dir(adapter), 0o755); err != nil {
		t.Fatal(err)
	}
	writeAdapter(t, model, adapter)
	tasks := filepath.Join(dir, "tasks.jsonl")
	task := `{"task_id":"Py/one","prompt":"def one():\n    \"\"\"Return 1.\"\"\"\n","canonical_solution":"    return 1\n","test":"def check(f):\n    assert f() == 1\n","entry_point":"one"}`
	if err := os.WriteFile(tasks, []byte(task+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	stdout, err := runEvalCLI(t, "--model", model, "--adapter", adapter, "--compare", "--data", data, "--tasks", tasks,
		"--samples", "2", "--seed", "7", "--max-tokens", "24", "--threads", "1", "--workers", "1")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Dir(adapter) // the default: the adapter's folder
	if !strings.Contains(stdout, filepath.Join(out, modelstore.EvalFile)) {
		t.Errorf("stdout does not name the report in the adapter's folder: %q", stdout)
	}
	rep := readEvalJSON(t, out)
	if len(rep.Runs) != 2 || rep.Runs[0].Name != "adapter" || rep.Runs[1].Name != "base" {
		t.Fatalf("runs: %+v", rep.Runs)
	}
	for _, run := range rep.Runs {
		m := run.Metrics
		if m["records"] != 3 {
			t.Errorf("%s: %v records evaluated, want the 3 validation records", run.Name, m["records"])
		}
		if p := m["perplexity"]; !(p > 1) || math.IsInf(p, 0) || !near(math.Exp(m["mean_nll"]), p) {
			t.Errorf("%s: perplexity %v, mean loss %v", run.Name, p, m["mean_nll"])
		}
		// The real bodies, after their prompts, parse cleanly with the grammars.
		if m["syntax_valid_reference"] != 1 {
			t.Errorf("%s: syntax_valid_reference = %v, want 1", run.Name, m["syntax_valid_reference"])
		}
		for _, k := range []string{"syntax_valid", "bleu4", "exact_match", "edit_similarity", "pass@1", "pass@k"} {
			if v, ok := m[k]; !ok || v < 0 || v > 1 {
				t.Errorf("%s: %s = %v (present %v), want a share in [0, 1]", run.Name, k, v, ok)
			}
		}
		if m["k"] != 2 || m["task_samples"] != 2 || m["generations"] != 5 {
			t.Errorf("%s: k %v, task samples %v, generations %v; want 2, 2, 5", run.Name, m["k"], m["task_samples"], m["generations"])
		}
		if !(m["ttft_ms_p50"] > 0) || !(m["ttft_ms_p95"] >= m["ttft_ms_p50"]) || !(m["tokens_per_s_p50"] > 0) {
			t.Errorf("%s: latency metrics %v", run.Name, m)
		}
		if run.Languages["go"]["records"] != 1 || run.Languages["python"]["records"] != 2 {
			t.Errorf("%s: per-language records %v", run.Name, run.Languages)
		}
	}
	// The adapter changes the model, so its loss differs from the base's.
	if d, ok := rep.Deltas["mean_nll"]; !ok || d == 0 || !near(d, rep.Runs[0].Metrics["mean_nll"]-rep.Runs[1].Metrics["mean_nll"]) {
		t.Errorf("mean loss delta = %v (present %v); runs %v vs %v", d, ok, rep.Runs[0].Metrics["mean_nll"], rep.Runs[1].Metrics["mean_nll"])
	}
	sum, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(sum)
	if len(rep.Inputs) == 0 || rep.Inputs[0].Role != "model" || rep.Inputs[0].SHA256 != hex.EncodeToString(h[:]) {
		t.Errorf("inputs: %+v", rep.Inputs)
	}
	md, err := os.ReadFile(filepath.Join(out, eval.ScorecardMD))
	if err != nil || !bytes.Contains(md, []byte("| metric | adapter | base | Δ |")) {
		t.Errorf("scorecard (err %v):\n%s", err, md)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestEvalCompletions scores a completions file without a model: one right
// and one wrong completion of one task give pass@1 = 1/2, pass@2 = 1.
func TestEvalCompletions(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	dir := t.TempDir()
	tasks, samples := filepath.Join(dir, "tasks.jsonl"), filepath.Join(dir, "samples.jsonl")
	os.WriteFile(tasks, []byte(`{"task_id":"t","prompt":"def one():\n","test":"def check(f):\n    assert f() == 1\n","entry_point":"one"}`+"\n"), 0o644)
	os.WriteFile(samples, []byte(`{"task_id":"t","completion":"    return 1\n"}`+"\n"+`{"task_id":"t","completion":"    return 2\n"}`+"\n"), 0o644)
	out := filepath.Join(dir, "out")
	text, err := runEvalCLI(t, "--tasks", tasks, "--completions", samples, "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	// The scores are printed, not only written to the scorecard.
	if !strings.Contains(squeeze(text), "\npass@1 0.5\n") {
		t.Errorf("no pass@1 row in the output:\n%s", text)
	}
	m := readEvalJSON(t, out).Runs[0].Metrics
	if m["pass@1"] != 0.5 || m["pass@k"] != 1 || m["k"] != 2 {
		t.Errorf("metrics %v, want pass@1 0.5, pass@k 1, k 2", m)
	}
}

func TestEvalUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "give --data"},
		{[]string{"--completions", "x.jsonl"}, "--completions needs --tasks"},
		{[]string{"--data", "d"}, "--model is needed"},
		{[]string{"--model", "m", "--data", "d", "--compare"}, "--compare needs --adapter"},
		{[]string{"--model", "m", "--tasks", "t", "--samples", "0"}, "--samples 0"},
	}
	for _, tt := range tests {
		_, err := runEvalCLI(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("eval %v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}
