package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/modelstore"
)

// fakePhases does each phase's work as the real packages would at the file
// level (each writes its outputs) and records the calls.
type fakePhases struct {
	calls      []string
	blockTrain chan struct{} // when set, Train closes it and waits to be cancelled
	onServe    func()        // called when the server starts
}

func (f *fakePhases) record(parts ...string) {
	f.calls = append(f.calls, strings.TrimSpace(strings.Join(parts, " ")))
}

func (f *fakePhases) Extract(_ context.Context, sources []string, out string, _ ExtractConfig) error {
	f.record("extract", strings.Join(sources, ","), out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "data-00000.jsonl"), []byte(strings.Join(sources, "\n")), 0o644)
}

func (f *fakePhases) Analyze(_ context.Context, dataset, jsonPath, htmlPath string) error {
	f.record("analyze", dataset)
	if err := writeFileAtomic(jsonPath, []byte("{}")); err != nil {
		return err
	}
	return writeFileAtomic(htmlPath, []byte("<html>"))
}

func (f *fakePhases) MakeTiny(_ context.Context, dataset, dir string, _ TinyConfig, _ int, resume bool) error {
	f.record("tiny", dataset, dir, resumeWord(resume))
	return writeFileAtomic(filepath.Join(dir, modelstore.ModelFile), []byte("GGUF tiny"))
}

func resumeWord(resume bool) string {
	if resume {
		return "resume"
	}
	return ""
}

func (f *fakePhases) Pull(_ context.Context, ref, dir string) (string, error) {
	f.record("pull", ref, dir)
	p := filepath.Join(dir, filepath.Base(ref))
	return p, writeFileAtomic(p, []byte("GGUF pulled"))
}

func (f *fakePhases) Train(ctx context.Context, base, dataset, modelDir string, opt TrainConfig, _ int, resume bool) error {
	f.record("train", base, dataset, resumeWord(resume))
	// Like the real training, refuse a folder that holds an earlier run.
	if _, err := os.Stat(filepath.Join(modelDir, "train.json")); err == nil && !resume {
		return errors.New("already holds a training run")
	}
	if f.blockTrain != nil {
		close(f.blockTrain)
		<-ctx.Done()
		return ctx.Err()
	}
	if err := writeFileAtomic(filepath.Join(modelDir, "train.json"), []byte("{}")); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(modelDir, modelstore.AdapterFile), []byte("adapter"))
}

func (f *fakePhases) Eval(_ context.Context, base, adapter, dataset, dir string, _ EvalConfig, _ int) error {
	f.record("eval", base, adapter, dataset, dir)
	return writeFileAtomic(filepath.Join(dir, modelstore.EvalFile), []byte("{}"))
}

func (f *fakePhases) Generate(_ context.Context, base, adapter, prompt string, _, _ int) (string, error) {
	f.record("generate", adapter)
	if adapter == "" {
		return " /* base */ }", nil
	}
	return " /* tuned */ }", nil
}

func (f *fakePhases) Serve(ctx context.Context, models, addr string, _ int) error {
	f.record("serve", models, addr)
	if f.onServe != nil {
		f.onServe()
	}
	<-ctx.Done()
	return ctx.Err()
}

func (f *fakePhases) phases() phases {
	return phases{extract: f.Extract, analyze: f.Analyze, makeTiny: f.MakeTiny, pull: f.Pull, train: f.Train,
		eval: f.Eval, generate: f.Generate, serve: f.Serve}
}

func testConfig(t *testing.T) *Config {
	t.Helper()
	t.Setenv("GOROOT", "/goroot")
	dir := t.TempDir()
	cfg := Default()
	cfg.Datasets = filepath.Join(dir, "datasets")
	cfg.Models = filepath.Join(dir, "models")
	return cfg
}

func runPipeline(t *testing.T, ctx context.Context, cfg *Config, f *fakePhases) string {
	t.Helper()
	f.calls = nil
	var log bytes.Buffer
	if err := run(ctx, cfg, f.phases(), &log); err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	return log.String()
}

func TestPipelineTinyBase(t *testing.T) {
	cfg := testConfig(t)
	f := &fakePhases{}
	log := runPipeline(t, context.Background(), cfg, f)

	ds, md := cfg.Datasets, cfg.Models
	want := []string{
		"extract " + strings.ReplaceAll(strings.Join(Default().Base.Tiny.Sources, ","), "$GOROOT", "/goroot") + " " + ds + "/demo-base",
		"extract . " + ds + "/demo",
		"analyze " + ds + "/demo",
		"tiny " + ds + "/demo-base " + md + "/demo-base",
		"train " + md + "/demo-base/model.gguf " + ds + "/demo",
		"eval " + md + "/demo-base/model.gguf " + md + "/demo/adapter.gguf " + ds + "/demo " + md + "/demo",
		"generate",
		"generate " + md + "/demo/adapter.gguf",
	}
	if !reflect.DeepEqual(f.calls, want) {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(f.calls, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{"[1/7] extract-base: running", "[7/7] sample: done", "--- base model\nfunc reverse(s string) string { /* base */ }", "--- tuned model\nfunc reverse(s string) string { /* tuned */ }"} {
		if !strings.Contains(log, s) {
			t.Fatalf("log lacks %q:\n%s", s, log)
		}
	}

	// Nothing changed: nothing runs, and the sample is shown again.
	log = runPipeline(t, context.Background(), cfg, f)
	if len(f.calls) != 0 || strings.Count(log, "up to date, skipped") != 7 || !strings.Contains(log, "/* tuned */") {
		t.Fatalf("second run called %q, log:\n%s", f.calls, log)
	}

	// A training setting reruns training (in a cleared folder: the fake
	// refuses one holding a run) and what depends on it, nothing else; the
	// pipeline's own files stay.
	cfg.Train.Rank = 4
	runPipeline(t, context.Background(), cfg, f)
	if got := strings.Join(f.calls, "|"); !strings.HasPrefix(got, "train ") || strings.Contains(got, "extract") || len(f.calls) != 4 {
		t.Fatalf("after changing train.rank, calls = %q; want train, eval and the two samples", f.calls)
	}
	if _, err := os.Stat(filepath.Join(md, "demo", PipelineDir, AnalysisFile)); err != nil {
		t.Fatalf("retraining removed the analysis: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(md, "demo", modelstore.BaseFile)); err != nil || string(b) != md+"/demo-base/model.gguf\n" {
		t.Fatalf("base reference = %q, %v", b, err)
	}

	// An evaluation setting reruns eval and sample only; the sample prompt
	// the sample only.
	cfg.Eval.MaxTokens = 8
	runPipeline(t, context.Background(), cfg, f)
	if len(f.calls) != 3 || !strings.HasPrefix(f.calls[0], "eval ") {
		t.Fatalf("after changing eval.max_tokens, calls = %q", f.calls)
	}
	cfg.Eval.SamplePrompt = "func main() {"
	runPipeline(t, context.Background(), cfg, f)
	if len(f.calls) != 2 || !strings.HasPrefix(f.calls[0], "generate") {
		t.Fatalf("after changing eval.sample_prompt, calls = %q", f.calls)
	}
}

// A training interrupted by Ctrl-C is resumed (resume=true) by the next
// run; one whose settings changed meanwhile starts afresh.
func TestPipelineResumesTraining(t *testing.T) {
	cfg := testConfig(t)
	f := &fakePhases{blockTrain: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-f.blockTrain; cancel() }()
	var log bytes.Buffer
	if err := run(ctx, cfg, f.phases(), &log); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Run = %v", err)
	}
	f.blockTrain = nil
	out := runPipeline(t, context.Background(), cfg, f)
	if f.calls[0] != "train "+cfg.TinyBaseDir()+"/model.gguf "+cfg.DatasetDir()+" resume" || !strings.Contains(out, "[5/7] train: resuming") {
		t.Fatalf("after the interruption, calls = %q; want training resumed first\n%s", f.calls, out)
	}
}

func TestPipelineFileBase(t *testing.T) {
	cfg := testConfig(t)
	base := filepath.Join(t.TempDir(), "base.gguf")
	touch(t, base, "GGUF v1")
	cfg.Base.Model = base
	f := &fakePhases{}
	log := runPipeline(t, context.Background(), cfg, f)
	if strings.Contains(log, "base:") || strings.Contains(log, "extract-base") || f.calls[2] != "train "+base+" "+cfg.DatasetDir() {
		t.Fatalf("a file base should need no steps of its own; calls %q, log:\n%s", f.calls, log)
	}
	// A new base file retrains.
	if err := os.WriteFile(base, []byte("GGUF v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Minute)
	os.Chtimes(base, later, later)
	runPipeline(t, context.Background(), cfg, f)
	if len(f.calls) == 0 || !strings.HasPrefix(f.calls[0], "train ") {
		t.Fatalf("after the base changed, calls = %q; want training first", f.calls)
	}
}

func TestPipelineHubBase(t *testing.T) {
	cfg := testConfig(t)
	cfg.Base.Model = "hf://Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q8_0.gguf"
	f := &fakePhases{}
	runPipeline(t, context.Background(), cfg, f)
	local := filepath.Join(cfg.Models, "qwen2.5-coder-0.5b-instruct-q8_0.gguf")
	if f.calls[2] != "pull "+cfg.Base.Model+" "+cfg.Models || f.calls[3] != "train "+local+" "+cfg.DatasetDir() {
		t.Fatalf("calls = %q; want the pull before training on the downloaded file", f.calls)
	}
}

func TestPipelineServes(t *testing.T) {
	cfg := testConfig(t)
	cfg.Serve.Enabled = true
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakePhases{onServe: cancel}
	log := runPipeline(t, ctx, cfg, f)
	if last := f.calls[len(f.calls)-1]; last != "serve "+cfg.Models+" 127.0.0.1:8000" {
		t.Fatalf("last call = %q, want serve", last)
	}
	if !strings.Contains(log, "serving "+cfg.Models+" on http://127.0.0.1:8000") {
		t.Fatalf("log does not announce the server:\n%s", log)
	}
}
