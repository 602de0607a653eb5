package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/modelstore"
	"github.com/codeloom/codeloom/server"
)

// testStore makes a store with a tiny base model "tiny" (Q8_0, with a
// train.json-less folder) and an adapter "tuned" of rank 4 on its attn_q and
// attn_v, trained on "tiny" as train.json and eval.json record.
func testStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	base := filepath.Join(dir, "tiny", modelstore.ModelFile)
	os.MkdirAll(filepath.Dir(base), 0o755)
	if err := gguf.WriteTinyLlama(ctx, base, gguf.TinyLlamaConfig{Type: gguf.Q8_0}); err != nil {
		t.Fatal(err)
	}
	tuned := filepath.Join(dir, "tuned")
	os.MkdirAll(tuned, 0o755)
	var pairs []gguf.LoRAPair
	for _, target := range []string{"blk.0.attn_q", "blk.1.attn_q", "blk.0.attn_v"} {
		pairs = append(pairs, gguf.LoRAPair{Base: target, In: 64, Out: 64, Rank: 4, A: make([]float32, 256), B: make([]float32, 256)})
	}
	if err := gguf.WriteLoRA(ctx, filepath.Join(tuned, modelstore.AdapterFile), "llama", 8, pairs); err != nil {
		t.Fatal(err)
	}
	if err := modelstore.WriteBaseRef(tuned, base); err != nil {
		t.Fatal(err)
	}
	result, _ := modelstore.Raw(map[string]any{"status": "completed", "steps": 12, "train_loss": 1.25, "best_val_loss": 1.5})
	if err := modelstore.WriteTrain(tuned, &modelstore.Train{Result: result, Data: modelstore.TrainData{Path: "data/x", Records: 40}}); err != nil {
		t.Fatal(err)
	}
	if err := modelstore.WriteEval(tuned, &modelstore.Eval{Runs: []modelstore.EvalRun{{Name: "tuned", Metrics: map[string]float64{"bleu": 0.42}}}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestModelsList(t *testing.T) {
	dir := testStore(t)
	code, out := runCLI("models", "list", "--models", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("want a header and two rows:\n%s", out)
	}
	for i, want := range [][]string{{"tiny", "model", "-", "Q8_0"}, {"tuned", "adapter", "tiny", "F32"}} {
		if f := strings.Fields(lines[i+1]); len(f) < 4 || f[0] != want[0] || f[1] != want[1] || f[2] != want[2] || !strings.Contains(lines[i+1], want[3]) {
			t.Errorf("row %q, want %v", lines[i+1], want)
		}
	}
	code, out = runCLI("models", "list", "--json", "--models", dir)
	var rows []listedModel
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	// Three pairs of [64,4] and [4,64] matrices.
	if len(rows) != 2 || rows[1].Params != 3*2*256 || rows[0].Params == 0 || rows[1].Base != "tiny" {
		t.Fatalf("rows %+v", rows)
	}
}

func TestModelsShowAndInfoOfAnAdapter(t *testing.T) {
	dir := testStore(t)
	adapter := filepath.Join(dir, "tuned", modelstore.AdapterFile)
	for _, args := range [][]string{
		{"models", "show", "--models", dir, "tuned"},
		{"models", "info", adapter},
	} {
		code, out := runCLI(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, out)
		}
		for _, want := range []string{"\nrank 4\n", "\nalpha 8\n", "\ntargets attn_q, attn_v\n", "\narchitecture llama\n"} {
			if !strings.Contains(squeeze(out), want) {
				t.Errorf("%v: no %q in\n%s", args, want, out)
			}
		}
	}
	code, out := runCLI("models", "show", "--models", dir, "tuned")
	for _, want := range []string{"base", "completed after 12 steps, train loss 1.2500", "data/x (40 records)", "bleu 0.42"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("show: no %q in\n%s", want, out)
		}
	}
	code, out = runCLI("models", "show", "--models", dir, "tiny")
	for _, want := range []string{"\ncontext length 256\n", "\nlayers 2\n", "\ntype Q8_0\n", "\nkind model\n"} {
		if code != 0 || !strings.Contains(squeeze(out), want) {
			t.Errorf("show tiny: no %q in\n%s", want, out)
		}
	}
	if code, out := runCLI("models", "show", "--models", dir, "nope"); code != 1 || !strings.Contains(out, `no model or adapter "nope"`) {
		t.Errorf("show nope: exit %d: %s", code, out)
	}
}

// squeeze makes each run of spaces one, so tests need not know the
// tabwriter's column widths.
func squeeze(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func TestModelsRm(t *testing.T) {
	dir := testStore(t)
	loose := filepath.Join(dir, "loose.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), loose, gguf.TinyLlamaConfig{}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tiny"}, 1, "tiny is the base of tuned"},
		{[]string{"../x"}, 2, "not a model name"},
		{[]string{"ghost"}, 1, `no model or adapter "ghost"`},
		{[]string{"loose"}, 0, "removed loose"},
		{[]string{"tuned"}, 0, "removed tuned"},
		{[]string{"tiny"}, 0, "removed tiny"},
	}
	for _, s := range steps {
		code, out := runCLI(append([]string{"models", "rm", "--models", dir}, s.args...)...)
		if code != s.code || !strings.Contains(out, s.want) {
			t.Fatalf("rm %v: exit %d, %q; want exit %d and %q", s.args, code, out, s.code, s.want)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("left in the store: %v", left)
	}
}

func TestModelsRmForce(t *testing.T) {
	dir := testStore(t)
	if code, out := runCLI("models", "rm", "--force", "--models", dir, "tiny"); code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	cat, err := server.Scan(dir)
	if err != nil || cat["tiny"] != nil || cat["tuned"] == nil {
		t.Fatalf("after rm --force tiny: %v, %v", cat, err)
	}
}

func TestModelsPullURLAndFile(t *testing.T) {
	src := filepath.Join(t.TempDir(), "small.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), src, gguf.TinyLlamaConfig{}); err != nil {
		t.Fatal(err)
	}
	model, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "small.gguf", time.Time{}, bytes.NewReader(model))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name, arg string
		code      int
		want      string
	}{
		{"url", srv.URL + "/dl/web.gguf", 0, "no checksum published"},
		{"file", src, 0, "small.gguf"},
		{"not gguf", filepath.Join(t.TempDir(), "none.gguf"), 2, "neither hf://"},
		{"url without a file", srv.URL + "/dl/", 2, "FILE.gguf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			code, text := runCLI("models", "pull", "--out", out, tc.arg)
			if code != tc.code || !strings.Contains(text, tc.want) {
				t.Fatalf("exit %d, %q; want exit %d and %q", code, text, tc.code, tc.want)
			}
			// The test's writer is not a terminal: plain progress lines.
			if strings.Contains(text, "\r") {
				t.Errorf("carriage return in non-terminal output %q", text)
			}
			if code != 0 {
				return
			}
			got, err := os.ReadFile(filepath.Join(out, filepath.Base(tc.arg)))
			if err != nil || !bytes.Equal(got, model) {
				t.Fatalf("pulled file: %v, equal %v", err, bytes.Equal(got, model))
			}
		})
	}
}

func TestProgressWithoutTerminal(t *testing.T) {
	var b bytes.Buffer
	bytesDone := newByteProgress(&b, "m.gguf")
	for i := int64(0); i <= 1000; i++ {
		bytesDone(i*1000, 1000*1000)
	}
	bytesDone(1000*1000, 1000*1000) // the downloader reports the end once more
	stage := newStageProgress(&b)
	for _, name := range []string{"bleu", "syntax"} {
		for i := range 301 {
			stage(name, i, 300)
		}
	}
	out := b.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// One line per tenth (0% to 100%) for each of the three runs.
	if strings.Contains(out, "\r") || len(lines) != 33 {
		t.Fatalf("%d lines, want 33 and no carriage return:\n%q", len(lines), out)
	}
	if lines[10] != "m.gguf: 100% 976.6 KiB / 976.6 KiB" || lines[32] != "syntax: 100% 300/300" {
		t.Fatalf("last lines %q and %q", lines[10], lines[32])
	}
}

func TestModelsShowDefaults(t *testing.T) {
	dir := testStore(t)
	temp, maxTokens := float32(0), 5
	if err := modelstore.WriteDefaults(filepath.Join(dir, "tuned"), &modelstore.Defaults{Temperature: &temp, MaxTokens: &maxTokens}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "tiny", modelstore.DefaultsFile)
	if err := os.WriteFile(bad, []byte(`{"temprature": 0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, want string }{
		{"tuned", `{"temperature":0,"max_tokens":5}`},
		{"tiny", "read " + bad + `: json: unknown field "temprature"`},
	} {
		code, out := runCLI("models", "show", "--models", dir, tc.name)
		if code != 0 || !strings.Contains(out, "defaults") || !strings.Contains(out, tc.want) {
			t.Errorf("models show %s: exit %d, want a defaults row with %s:\n%s", tc.name, code, tc.want, out)
		}
	}
}
