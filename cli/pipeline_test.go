package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/eval"
	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/modelstore"
	"github.com/codeloom/codeloom/pipeline"
	"github.com/codeloom/codeloom/train"
)

func TestPipelineCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.yaml", "train:\n  rnak: 4\n")
	badLang := write("lang.yaml", "extract:\n  languages: [go, cobol]\n")
	badTarget := write("target.yaml", "train:\n  targets: [attn_q, attn_z]\n")
	badLicense := write("license.yaml", "extract:\n  licenses: \"\"\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"print config", []string{"--print-config"}, 0, string(pipeline.DefaultYAML)},
		{"unknown key", []string{"--config", bad}, 2, "config " + bad + ": line 2: unknown key train.rnak"},
		{"unknown language", []string{"--config", badLang}, 2, "config " + badLang + `: extract.languages: unknown language "cobol" (known: `},
		{"unknown target", []string{"--config", badTarget}, 2, "config " + badTarget + `: train.targets: unknown projection "attn_z" (known: attn_q,`},
		{"empty licences", []string{"--config", badLicense}, 2, "extract.licenses: must be"},
		{"missing file", []string{"--config", filepath.Join(dir, "none.yaml")}, 2, "no such file"},
		{"argument", []string{"extra"}, 2, "pipeline takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := runCLI(append([]string{"pipeline"}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, output %q; want exit %d and %q", code, out, tt.wantCode, tt.want)
			}
		})
	}
}

// TestPipelineEndToEnd runs the whole pipeline on small configs, one per
// kind of base model: a GGUF file, one downloaded from a (local) hub, and a
// tiny model made from scratch. Two of this repository's packages are the
// data. It checks that every artifact exists and means something, then
// that a second run skips every step and serves the adapter.
func TestPipelineEndToEnd(t *testing.T) {
	tests := []struct {
		name string
		// base returns the config's base section and the model file the
		// adapter is trained on.
		base  func(t *testing.T, dir string) (yaml, path string)
		steps int
	}{
		{"file base", func(t *testing.T, dir string) (string, string) {
			p := writeTinyBase(t, dir)
			return "  model: " + p, p
		}, 5},
		{"hub base", func(t *testing.T, dir string) (string, string) {
			b, err := os.ReadFile(writeTinyBase(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv("CODELOOM_HF_ENDPOINT", fakeHub(t, "o/r/base.gguf", b).URL)
			t.Setenv("HF_TOKEN", "tok")
			return "  model: hf://o/r/base.gguf", filepath.Join(dir, "models", "base.gguf")
		}, 6},
		{"tiny base", func(t *testing.T, dir string) (string, string) {
			return `  model: tiny
  tiny:
    sources: [$GOROOT/src/strings, $GOROOT/src/sort]
    vocab: 600
    layers: 2
    dim: 64
    heads: 2
    ctx: 64
    max_steps: 20
    lr: 0.01`, filepath.Join(dir, "models", "e2e-base", modelstore.ModelFile)
		}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			baseYAML, base := tt.base(t, dir)
			addr := freeAddr(t)
			cfgPath := filepath.Join(dir, "codeloom.yaml")
			cfg := fmt.Sprintf(`name: e2e
datasets: %[1]s/datasets
models: %[1]s/models
threads: 1
extract:
  sources: [../hub, ../pipeline]
base:
%[2]s
train:
  max_steps: 12
  ctx: 64
  micro_batch: 1
  lr: 0.01
eval:
  limit: 3
  max_tokens: 8
  sample_prompt: "func Parse("
serve:
  addr: %[3]s
`, dir, baseYAML, addr)
			if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			run := func(ctx context.Context, flags ...string) string {
				var out bytes.Buffer
				app := newApp()
				app.Writer, app.ErrWriter = &out, io.Discard
				if err := app.RunContext(ctx, append([]string{"codeloom", "pipeline", "--config", cfgPath}, flags...)); err != nil {
					t.Errorf("pipeline: %v\n%s", err, out.String())
				}
				return out.String()
			}
			out := run(context.Background())
			checkPipelineArtifacts(t, dir, base, out)
			if tt.name == "tiny base" {
				checkTinyBase(t, filepath.Join(dir, "models", "e2e-base"), 600)
			}

			// A second run with --serve skips every step and serves the adapter.
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan string)
			go func() { done <- run(ctx, "--serve") }()
			checkPipelineServes(t, "http://"+addr)
			cancel()
			out = <-done
			if n := strings.Count(out, "up to date, skipped"); n != tt.steps {
				t.Fatalf("second run skipped %d steps, want all %d:\n%s", n, tt.steps, out)
			}
		})
	}
}

func writeTinyBase(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "base.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), p, gguf.TinyLlamaConfig{Seed: 7, Ctx: 128}); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkPipelineArtifacts checks what a run of the e2e config made: the
// dataset, its analysis, a training whose validation loss fell, a tuned
// model better than its base on held-out code, an adapter that loads, and
// the sample (printed at the end).
func checkPipelineArtifacts(t *testing.T, dir, base, out string) {
	t.Helper()
	data, models := filepath.Join(dir, "datasets", "e2e"), filepath.Join(dir, "models", "e2e")
	m, err := dataset.ReadManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Total.Kept < 20 || m.Splits[dataset.SplitTrain] == 0 || m.Splits[dataset.SplitValidation] == 0 {
		t.Fatalf("dataset: %d kept, splits %v; want both splits filled", m.Total.Kept, m.Splits)
	}
	var rep struct {
		Total struct{ Functions int } `json:"total"`
	}
	readJSON(t, filepath.Join(models, pipeline.PipelineDir, pipeline.AnalysisFile), &rep)
	if rep.Total.Functions != m.Total.Kept {
		t.Fatalf("analysis counts %d functions, the manifest %d", rep.Total.Functions, m.Total.Kept)
	}
	if html, err := os.ReadFile(filepath.Join(models, pipeline.PipelineDir, pipeline.ReportFile)); err != nil || !bytes.Contains(html, []byte("<svg")) {
		t.Fatalf("report.html without charts: %v", err)
	}
	checkLossFell(t, models)
	var ev eval.Report
	readJSON(t, filepath.Join(models, modelstore.EvalFile), &ev)
	if len(ev.Runs) != 2 || !(ev.Runs[0].Metrics["perplexity"] < ev.Runs[1].Metrics["perplexity"]) {
		t.Fatalf("eval: the tuned model is not better on held-out code: %+v", ev.Runs)
	}
	bm, err := bindings.LoadModel(base, bindings.ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	defer bm.Close()
	a, err := bindings.LoadAdapter(bm, filepath.Join(models, modelstore.AdapterFile))
	if err != nil {
		t.Fatalf("the adapter does not load on %s: %v", base, err)
	}
	a.Close()
	sample, err := os.ReadFile(filepath.Join(models, pipeline.PipelineDir, pipeline.SampleFile))
	if err != nil || !strings.Contains(string(sample), "--- tuned model\nfunc Parse(") || len(sample) < len("--- base model\nfunc Parse(\n--- tuned model\nfunc Parse(\n")+2 {
		t.Fatalf("sample: %q, %v", sample, err)
	}
	if !strings.Contains(out, string(sample)) {
		t.Fatalf("the sample is not printed at the end:\n%s", out)
	}
}

// checkLossFell reads a training run's train.json: the last validation
// loss must be below the first.
func checkLossFell(t *testing.T, runDir string) {
	t.Helper()
	var tr struct {
		State struct {
			History []struct {
				ValLoss float64 `json:"val_loss"`
			} `json:"history"`
		} `json:"state"`
	}
	readJSON(t, filepath.Join(runDir, "train.json"), &tr)
	if h := tr.State.History; len(h) < 2 || !(h[len(h)-1].ValLoss < h[0].ValLoss) {
		t.Fatalf("%s: validation loss did not fall: %+v", runDir, h)
	}
}

// checkTinyBase checks the model made from scratch: trained (its loss
// fell) with a tokenizer of the asked size learned from the code.
func checkTinyBase(t *testing.T, dir string, vocab int) {
	t.Helper()
	checkLossFell(t, dir)
	f, err := gguf.Open(filepath.Join(dir, modelstore.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tokens, err := f.Strings("tokenizer.ggml.tokens")
	if err != nil || len(tokens) != vocab {
		t.Fatalf("tiny base vocabulary: %d tokens (%v), want %d", len(tokens), err, vocab)
	}
	if model, _ := f.String("tokenizer.ggml.model"); model != "gpt2" {
		t.Fatalf("tiny base tokenizer %q, want a byte-level BPE (gpt2)", model)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// checkPipelineServes waits for the pipeline's server and asks it for a
// completion with the trained adapter.
func checkPipelineServes(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pipeline's server did not answer /health: %v", err)
		}
	}
	resp, err := http.Post(url+"/generate", "application/json", strings.NewReader(`{"prompt":"func Parse(","adapter":"e2e","max_tokens":4}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var g struct {
		Adapter string `json:"adapter"`
		Usage   struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&g); err != nil || resp.StatusCode != http.StatusOK || g.Adapter != "e2e" || g.Usage.CompletionTokens == 0 {
		t.Fatalf("/generate with the adapter: %s %+v %v", resp.Status, g, err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestPipelineResumesTraining stops a real pipeline run in the middle of
// training (as Ctrl-C does) and checks that the next run resumes that
// training from its checkpoint instead of starting it over.
func TestPipelineResumesTraining(t *testing.T) {
	dir := t.TempDir()
	base := writeTinyBase(t, dir)
	cfgPath := filepath.Join(dir, "codeloom.yaml")
	cfg := fmt.Sprintf(`name: resume
datasets: %[1]s/datasets
models: %[1]s/models
threads: 1
extract:
  sources: [../hub, ../pipeline]
base:
  model: %[2]s
train:
  max_steps: 150
  ctx: 64
  micro_batch: 1
eval:
  limit: 2
  max_tokens: 4
`, dir, base)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	models := filepath.Join(dir, "models", "resume")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// The first checkpoint is written at step checkpointEvery.
		for ctx.Err() == nil {
			if _, err := os.Stat(filepath.Join(models, "checkpoints")); err == nil {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var out bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, io.Discard
	if err := app.RunContext(ctx, []string{"codeloom", "pipeline", "--config", cfgPath}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted pipeline: %v, want context.Canceled\n%s", err, out.String())
	}
	cancel()

	out.Reset()
	app = newApp()
	app.Writer, app.ErrWriter = &out, io.Discard
	if err := app.RunContext(context.Background(), []string{"codeloom", "pipeline", "--config", cfgPath}); err != nil {
		t.Fatalf("resumed pipeline: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "[3/5] train: resuming") {
		t.Fatalf("the second run did not resume training:\n%s", out.String())
	}
	var tr struct {
		Result train.Result `json:"result"`
	}
	readJSON(t, filepath.Join(models, "train.json"), &tr)
	if tr.Result.Restored == "" || tr.Result.Steps != 150 {
		t.Fatalf("train.json result %+v: want 150 steps, restored from a checkpoint", tr.Result)
	}
}
