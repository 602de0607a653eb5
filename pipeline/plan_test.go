package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakePhases does each phase's work as the real packages would at the file
// level (each writes its outputs) and records the calls.
type fakePhases struct {
	calls []string
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

func (f *fakePhases) MakeTiny(_ context.Context, dataset, out string, _ TinyConfig, _ int) error {
	f.record("tiny", dataset, out)
	return writeFileAtomic(out, []byte("GGUF tiny"))
}

func (f *fakePhases) Pull(_ context.Context, ref, dir string) (string, error) {
	f.record("pull", ref, dir)
	p := filepath.Join(dir, filepath.Base(ref))
	return p, writeFileAtomic(p, []byte("GGUF pulled"))
}

func (f *fakePhases) Train(_ context.Context, base, dataset, modelDir string, opt TrainConfig, _ int) error {
	f.record("train", base, dataset)
	return writeFileAtomic(filepath.Join(modelDir, AdapterFile), []byte("adapter"))
}

func (f *fakePhases) Eval(_ context.Context, base, adapter, dataset, out string, _ EvalConfig, _ int) error {
	f.record("eval", base, adapter, dataset)
	return writeFileAtomic(out, []byte("{}"))
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
	<-ctx.Done()
	return ctx.Err()
}

func (f *fakePhases) phases() Phases {
	return Phases{Extract: f, Analyze: f, MakeTiny: f, Pull: f, Train: f, Eval: f, Generate: f, Serve: f}
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
	if err := Run(ctx, cfg, f.phases(), &log); err != nil {
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
		"extract /goroot/src/strings,/goroot/src/bytes,/goroot/src/strconv,/goroot/src/sort,/goroot/src/bufio,/goroot/src/fmt,/goroot/src/path,/goroot/src/text/tabwriter,/goroot/src/encoding/csv,/goroot/src/container " + ds + "/demo-base",
		"extract . " + ds + "/demo",
		"analyze " + ds + "/demo",
		"tiny " + ds + "/demo-base " + md + "/demo-base/model.gguf",
		"train " + md + "/demo-base/model.gguf " + ds + "/demo",
		"eval " + md + "/demo-base/model.gguf " + md + "/demo/adapter.gguf " + ds + "/demo",
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

	// A training setting reruns training and what depends on it only.
	cfg.Train.Rank = 4
	runPipeline(t, context.Background(), cfg, f)
	if got := strings.Join(f.calls, "|"); !strings.HasPrefix(got, "train ") || strings.Contains(got, "extract") || len(f.calls) != 4 {
		t.Fatalf("after changing train.rank, calls = %q; want train, eval and the two samples", f.calls)
	}

	// An evaluation setting reruns eval and sample only.
	cfg.Eval.MaxTokens = 8
	runPipeline(t, context.Background(), cfg, f)
	if len(f.calls) != 3 || !strings.HasPrefix(f.calls[0], "eval ") {
		t.Fatalf("after changing eval.max_tokens, calls = %q", f.calls)
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
	f := &fakePhases{}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	log := runPipeline(t, ctx, cfg, f)
	if last := f.calls[len(f.calls)-1]; last != "serve "+cfg.Models+" 127.0.0.1:8000" {
		t.Fatalf("last call = %q, want serve", last)
	}
	if !strings.Contains(log, "serving "+cfg.Models+" on http://127.0.0.1:8000") {
		t.Fatalf("log does not announce the server:\n%s", log)
	}
}
