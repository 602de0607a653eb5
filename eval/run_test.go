package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/llm"
	"github.com/codeloom/codeloom/modelstore"
)

// scripted is an LM that writes fixed text for each prompt, one character
// per piece, so the metrics over it can be computed by hand. The real engine
// is exercised by the CLI's end-to-end test.
type scripted struct {
	replies map[string]string  // prompt suffix → reply
	nll     map[string]float64 // code → mean NLL; the token count is len(code)
	pieces  int                // pieces emitted in all
	greedy  int                // generations asked for greedily
	sampled int                // generations asked for as samples
}

func (s *scripted) Generate(ctx context.Context, prompt string, opt llm.GenerateOptions) (*llm.Generation, error) {
	if opt.Temperature > 0 {
		s.sampled++
	} else {
		s.greedy++
	}
	reply := ""
	for suffix, r := range s.replies {
		if strings.HasSuffix(prompt, suffix) {
			reply = r
		}
	}
	g := &llm.Generation{Timings: llm.Timings{TTFT: time.Duration(len(prompt)) * 10 * time.Microsecond}}
	time.Sleep(g.Timings.TTFT)
	for _, c := range reply {
		if g.CompletionTokens == opt.MaxTokens {
			break
		}
		g.Text += string(c)
		g.CompletionTokens++
		s.pieces++
		if err := opt.OnPiece(string(c)); err != nil {
			return g, err
		}
	}
	return g, nil
}

func (s *scripted) Perplexity(ctx context.Context, text string) (llm.Perplexity, error) {
	if v, ok := s.nll[text]; ok {
		return llm.Perplexity{MeanNLL: v, PPL: math.Exp(v), Tokens: len(text)}, nil
	}
	return llm.Perplexity{}, llm.ErrPromptTooLong
}

// braceChecker calls Go code valid when its braces balance and knows no
// other language.
type braceChecker struct{}

func (braceChecker) Valid(lang, src string) (bool, bool) {
	return strings.Count(src, "{") == strings.Count(src, "}"), lang == "go"
}

func TestEvaluateRecords(t *testing.T) {
	goCode := "func Add(a, b int) int {\n\treturn a + b\n}\n"
	pyCode := "def f(x):\n    return x * 2\n"
	recs := []dataset.Record{
		{ID: "1", Language: "go", Signature: "func Add(a, b int) int", Code: goCode},
		{ID: "2", Language: "python", Signature: "def f(x):", Code: pyCode},
		{ID: "3", Language: "go", Signature: "func Missing()", Code: "func F() {}\n"},
	}
	lm := &scripted{
		replies: map[string]string{
			"int {\n": "\treturn a + b\n}\n\nfunc Other() { for {} }\n",
			"(x):\n":  "    return x\nprint(1)\n",
		},
		nll: map[string]float64{goCode: 2, pyCode: 1},
	}
	run, err := Evaluate(context.Background(), "model", lm, Config{Records: recs, Syntax: braceChecker{}})
	if err != nil {
		t.Fatal(err)
	}
	goTokens, pyTokens := float64(len(goCode)), float64(len(pyCode))
	meanNLL := (2*goTokens + 1*pyTokens) / (goTokens + pyTokens)
	want := map[string]float64{
		"records":           2,
		"skipped_no_prompt": 1,
		"exact_match":       0.5,
		// Python: "    return x" against "    return x * 2" is 4 edits in 16.
		"edit_similarity": (1 + 0.75) / 2,
		// Tokens: 5+2 candidate, 5+4 reference; every n-gram of the
		// candidates matches (7/7, 5/5, 3/3, 2/2), so BLEU = BP = exp(1-9/7).
		"bleu4":                  math.Exp(1 - 9.0/7),
		"syntax_valid":           1, // only Go is checked
		"syntax_valid_reference": 1,
		"mean_nll":               meanNLL,
		"perplexity":             math.Exp(meanNLL),
		"nll_tokens":             goTokens + pyTokens,
		"nll_records":            2,
		"generations":            2,
		// TTFT is 10 µs per prompt byte: 25 bytes (Go) and 10 (Python).
		"ttft_ms_p50": (0.25 + 0.1) / 2,
	}
	for k, v := range want {
		if got, ok := run.Metrics[k]; !ok || !near(got, v) {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if run.Metrics["tokens_per_s_p50"] <= 0 {
		t.Errorf("tokens/s p50 = %v, want > 0", run.Metrics["tokens_per_s_p50"])
	}
	if got := run.Languages["python"]["edit_similarity"]; !near(got, 0.75) {
		t.Errorf("python edit similarity = %v, want 0.75", got)
	}
	if _, ok := run.Languages["python"]["syntax_valid"]; ok {
		t.Error("python has no checker here, yet has a syntax_valid")
	}
	// Generation stops once the body is closed: the Go reply's text after
	// "}\n" and the Python reply's "print(1)\n" are never produced in full.
	if full := len("\treturn a + b\n}\n\nfunc Other() { for {} }\n") + len("    return x\nprint(1)\n"); lm.pieces >= full-10 {
		t.Errorf("%d pieces generated, want generation to stop at the body's end (full replies: %d)", lm.pieces, full)
	}
	if lm.greedy != 2 || lm.sampled != 0 {
		t.Errorf("%d greedy and %d sampled generations, want 2 greedy (records are completed greedily)", lm.greedy, lm.sampled)
	}
	if len(run.Records) != 2 || run.Records[0].Completion != "\treturn a + b\n}\n" {
		t.Errorf("record samples = %+v", run.Records)
	}
}

func TestEvaluateTasksAndReport(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	tasks, err := LoadTasks("testdata/tasks.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	good := &scripted{replies: map[string]string{
		tasks[0].Prompt: tasks[0].CanonicalSolution + "\nprint('after the body')\n",
		tasks[1].Prompt: tasks[1].CanonicalSolution,
	}}
	bad := &scripted{replies: map[string]string{tasks[0].Prompt: "    return 0\n"}}
	cfg := Config{Tasks: tasks, Samples: 2, Sampling: llm.SampleOptions{Temperature: 0.8}, Exec: ExecOptions{Workers: 2, BaseUID: 1_997_000}}
	var runs []*Run
	for _, c := range []struct {
		name string
		lm   LM
	}{{"adapter", good}, {"base", bad}} {
		run, err := Evaluate(context.Background(), c.name, c.lm, cfg)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
	}
	if good.sampled != 4 || good.greedy != 0 {
		t.Errorf("%d sampled and %d greedy generations, want 4 samples (2 per task)", good.sampled, good.greedy)
	}
	if m := runs[0].Metrics; m["pass@1"] != 1 || m["pass@k"] != 1 || m["k"] != 2 || m["task_samples"] != 4 {
		t.Errorf("adapter run metrics = %v, want pass@1 = pass@2 = 1 over 4 samples", m)
	}
	if m := runs[1].Metrics; m["pass@1"] != 0 || m["pass@k"] != 0 {
		t.Errorf("base run metrics = %v, want pass@1 = pass@2 = 0", m)
	}

	rep := &Report{Tool: "codeloom test", CreatedAt: time.Unix(0, 0).UTC(), Settings: map[string]any{"samples": 2}, Runs: runs}
	rep.Compare()
	dir := filepath.Join(t.TempDir(), "out")
	if err := rep.Write(dir); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Runs []struct {
			Name    string             `json:"name"`
			Metrics map[string]float64 `json:"metrics"`
			PassAt  struct {
				K     int     `json:"k"`
				Pass1 float64 `json:"pass@1"`
			} `json:"pass_at"`
		} `json:"runs"`
		Deltas map[string]float64 `json:"deltas"`
	}
	b, err := os.ReadFile(filepath.Join(dir, modelstore.EvalFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Runs) != 2 || back.Runs[0].Metrics["pass@1"] != 1 || back.Runs[0].PassAt.K != 2 || back.Deltas["pass@k"] != 1 {
		t.Errorf("eval.json read back: %s", b)
	}
	md, err := os.ReadFile(filepath.Join(dir, ScorecardMD))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| metric | adapter | base | Δ |", "| pass@1 | 1 | 0 | +1 ▲ |", "| pass@2 | 1 | 0 | +1 ▲ |", "| Py/add | 2 | 2 |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("eval.md lacks %q:\n%s", want, md)
		}
	}
	samples, err := LoadSamples(filepath.Join(dir, SamplesJSONL))
	if err != nil || len(samples) != 8 || samples[0].Completion != tasks[0].CanonicalSolution {
		t.Errorf("samples file: %d lines, first %+v, err %v", len(samples), samples[0], err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// sharedContext records the adapter set before each call.
type sharedContext struct {
	scripted
	adapter llm.Adapter
	scale   float32
	calls   []string
}

func (c *sharedContext) SetAdapter(a llm.Adapter, scale float32) { c.adapter, c.scale = a, scale }

func (c *sharedContext) Generate(ctx context.Context, prompt string, opt llm.GenerateOptions) (*llm.Generation, error) {
	c.calls = append(c.calls, fmt.Sprintf("generate %v %g", c.adapter, c.scale))
	return c.scripted.Generate(ctx, prompt, opt)
}

func (c *sharedContext) Perplexity(ctx context.Context, text string) (llm.Perplexity, error) {
	c.calls = append(c.calls, fmt.Sprintf("perplexity %v %g", c.adapter, c.scale))
	return c.scripted.Perplexity(ctx, text)
}

type namedAdapter string

func (namedAdapter) Close() {}

func TestWithAdapterSharesContext(t *testing.T) {
	c := &sharedContext{scripted: scripted{replies: map[string]string{"": "x"}}}
	tuned, base := WithAdapter(c, namedAdapter("lora"), 0.5), WithAdapter(c, nil, 0)
	ctx := context.Background()
	opt := llm.GenerateOptions{OnPiece: func(string) error { return nil }}
	if _, err := tuned.Generate(ctx, "p", opt); err != nil {
		t.Fatal(err)
	}
	if _, err := base.Generate(ctx, "p", opt); err != nil {
		t.Fatal(err)
	}
	_, _ = tuned.Perplexity(ctx, "code")
	want := []string{"generate lora 0.5", "generate <nil> 0", "perplexity lora 0.5"}
	if fmt.Sprint(c.calls) != fmt.Sprint(want) {
		t.Errorf("calls %q, want %q", c.calls, want)
	}
}
