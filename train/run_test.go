package train

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/internal/digest"
	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/modelstore"
)

// quickConfig is a small, fast run on a tiny model.
func quickConfig(t testing.TB, base, data string) Config {
	return Config{
		Base: base, Data: data, Out: filepath.Join(t.TempDir(), "run"),
		Rank: 8, Alpha: 16, Ctx: 128, Threads: 1, MaxSteps: 40, EvalEvery: 20,
		Schedule: Schedule{Kind: "cosine", LR: 1e-2, MinLR: 1e-3, Warmup: 4},
	}
}

func readMetrics(t *testing.T, out string) []map[string]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(out, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]float64
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	return lines
}

// valText joins the code of a split's records.
func valText(recs []dataset.Record) string {
	var b strings.Builder
	for _, r := range recs {
		if r.Split == dataset.SplitValidation {
			b.WriteString(r.Code)
		}
	}
	return b.String()
}

func referenceLoss(t *testing.T, base, adapter, text string) float64 {
	t.Helper()
	m, err := bindings.LoadModel(base, bindings.ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	toks, err := m.Tokenize(text, true)
	m.Close()
	if err != nil {
		t.Fatal(err)
	}
	l, err := bindings.ReferenceLoss(base, adapter, toks[:min(len(toks), 200)], 1)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A run on a real (tiny) model lowers the validation loss by at least 20%,
// writes every output, and its adapter lowers llama.cpp's loss on held-out
// code of the training repository more than on another repository's code.
func TestRunLowersValidationLoss(t *testing.T) {
	base := testfixture.Path(t, "stories260K.gguf")
	goRecs := goRecords(60, "go-repo")
	cfg := quickConfig(t, base, writeDataset(t, goRecs))
	cfg.MaxSteps, cfg.EvalEvery = 40, 20
	var steps int
	res, err := Run(context.Background(), cfg, func(e Event) {
		if e.Kind == "step" {
			steps++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "completed" || res.Steps != 40 || steps != 40 {
		t.Fatalf("result %+v after %d step events", res, steps)
	}
	var sum struct {
		State State
		Data  struct{ Train PackStats }
		Base  struct{ SHA256 string }
	}
	b, err := os.ReadFile(filepath.Join(cfg.Out, modelstore.TrainFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	h := sum.State.History
	if len(h) != 3 || h[0].Step != 0 || h[2].Step != 40 {
		t.Fatalf("evaluations %+v, want steps 0, 20, 40", h)
	}
	if h[2].ValLoss > 0.8*h[0].ValLoss {
		t.Fatalf("validation loss %.4f -> %.4f: not 20%% lower", h[0].ValLoss, h[2].ValLoss)
	}
	if want, err := digest.File(cfg.Base); err != nil || sum.Data.Train.Windows == 0 || sum.Base.SHA256 != want {
		t.Fatalf("train.json lacks data or the base's hash %s (%v): %s", want, err, b)
	}
	if n := len(readMetrics(t, cfg.Out)); n != 40+3 {
		t.Fatalf("metrics.jsonl has %d lines, want 43", n)
	}
	if ev, _ := filepath.Glob(filepath.Join(cfg.Out, "events.out.tfevents.*")); len(ev) != 1 {
		t.Fatalf("event files %v", ev)
	}

	adapter := filepath.Join(cfg.Out, modelstore.AdapterFile)
	pyText := strings.Repeat("def mul(x, y):\n    return x * y * 3\n", 6)
	goGain := referenceLoss(t, base, "", valText(goRecs)) - referenceLoss(t, base, adapter, valText(goRecs))
	pyGain := referenceLoss(t, base, "", pyText) - referenceLoss(t, base, adapter, pyText)
	t.Logf("val loss %.4f -> %.4f; llama.cpp loss gain on held-out Go %.4f, on Python %.4f", h[0].ValLoss, h[2].ValLoss, goGain, pyGain)
	if goGain <= pyGain || goGain <= 0 {
		t.Fatalf("adapter gains %.4f on its repository's held-out code and %.4f on another's", goGain, pyGain)
	}
}

// A cancelled run saves a checkpoint; resuming it continues the step count,
// schedule and data order and ends exactly where an uninterrupted run ends.
func TestRunCancelAndResume(t *testing.T) {
	base := tinyBase(t, false)
	data := writeDataset(t, goRecords(40, "r"))
	straight := quickConfig(t, base, data)
	straight.MaxSteps, straight.EvalEvery = 10, 0
	want, err := Run(context.Background(), straight, nil)
	if err != nil {
		t.Fatal(err)
	}

	cfg := straight
	cfg.Out = filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Run(ctx, cfg, func(e Event) {
		if e.Kind == "step" && e.Step == 4 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || res == nil || res.Status != "cancelled" || res.Steps != 4 {
		t.Fatalf("cancelled run: %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(res.Checkpoint, tensorsFile)); err != nil || !HasCheckpoint(cfg.Out) {
		t.Fatalf("no checkpoint after cancel: %v", err)
	}
	if HasCheckpoint(t.TempDir()) {
		t.Fatal("an empty folder has a checkpoint")
	}
	if _, err := Run(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("rerun without --resume: %v", err)
	}

	cfg.Resume = true
	var info []string
	got, err := Run(context.Background(), cfg, func(e Event) {
		if e.Kind == "info" {
			info = append(info, e.Message)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(info, "\n"), "resumed from step-00000004: step 4 of 10") {
		t.Fatalf("resume did not say what it restored: %q", info)
	}
	lines := readMetrics(t, cfg.Out)
	sched := Schedule{Kind: "cosine", LR: 1e-2, MinLR: 1e-3, Warmup: 4, Total: 10}
	var steps []map[string]float64
	for _, l := range lines {
		if _, ok := l["lr"]; ok {
			steps = append(steps, l)
		}
	}
	for i, l := range steps {
		if int(l["step"]) != i+1 || math.Abs(l["lr"]-sched.At(i+1)) > 1e-12 {
			t.Fatalf("metrics line %d: step %v lr %v, want step %d lr %v", i, l["step"], l["lr"], i+1, sched.At(i+1))
		}
	}
	if got.Steps != 10 || math.Abs(got.TrainLoss-want.TrainLoss) > 1e-5 {
		t.Fatalf("resumed run ends at step %d with loss %.6f; uninterrupted: step %d, loss %.6f",
			got.Steps, got.TrainLoss, want.Steps, want.TrainLoss)
	}
}

// Bad input gives a clear error and leaves an earlier run's outputs intact.
func TestRunRejectsBadInput(t *testing.T) {
	base := tinyBase(t, false)
	data := writeDataset(t, goRecords(10, "r"))
	empty := writeDataset(t, nil)
	earlier := quickConfig(t, base, data)
	earlier.MaxSteps = 2
	if _, err := Run(context.Background(), earlier, nil); err != nil {
		t.Fatal(err)
	}
	adapter := filepath.Join(earlier.Out, modelstore.AdapterFile)
	before, err := os.ReadFile(adapter)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"empty dataset", func(c *Config) { c.Data = empty }, "no records"},
		{"missing dataset", func(c *Config) { c.Data = filepath.Join(empty, "nope") }, "no such file"},
		{"no samples for the format", func(c *Config) { c.Format = FIM }, "fill-in-the-middle"},
		{"rank larger than the tensors", func(c *Config) { c.Rank = 1000 }, "larger than tensor"},
		{"base not found", func(c *Config) { c.Base = filepath.Join(empty, "none.gguf") }, "no such file"},
		{"earlier run without resume", func(c *Config) { c.Resume = false }, "already holds a training run"},
		{"resume without checkpoint", func(c *Config) { c.Resume = true; c.Out = t.TempDir() }, "nothing to resume"},
		{"bad learning rate", func(c *Config) { c.Schedule.MinLR = 1 }, "learning rate"},
		{"peft export of a full run", func(c *Config) { c.Full, c.ExportPEFT = true, true }, "--export peft"},
		{"patience without validation", func(c *Config) { c.Patience = 2; c.Data = writeDataset(t, goRecords(3, "r")) }, "validation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := earlier
			cfg.Resume = true // continuing the earlier run must not damage it
			tc.edit(&cfg)
			_, err := Run(context.Background(), cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v does not mention %q", err, tc.want)
			}
			after, err := os.ReadFile(adapter)
			if err != nil || string(after) != string(before) {
				t.Fatal("the earlier adapter changed")
			}
		})
	}
}

// Early stopping ends the run after `patience` evaluations without a
// decrease larger than min-delta, and adapter.gguf keeps the best weights.
func TestRunEarlyStoppingKeepsBest(t *testing.T) {
	base := testfixture.Path(t, "stories260K.gguf")
	recs := goRecords(30, "r")
	cfg := quickConfig(t, base, writeDataset(t, recs))
	cfg.MaxSteps, cfg.EvalEvery, cfg.Patience, cfg.MinDelta = 40, 5, 2, 100
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "early_stopped" || res.Steps != 10 || res.BestStep != 0 {
		t.Fatalf("result %+v, want early stop at step 10 with the best at step 0", res)
	}
	// the best is the untrained adapter (B = 0): llama.cpp sees the base
	text := valText(recs)
	if with, without := referenceLoss(t, base, res.Output, text), referenceLoss(t, base, "", text); math.Abs(with-without) > 1e-6 {
		t.Fatalf("adapter.gguf is not the best (initial) adapter: loss %.6f vs base %.6f", with, without)
	}
}

// Every format trains end to end; instruct and fim score only part of each
// sample.
func TestRunFormats(t *testing.T) {
	base := tinyBase(t, true)
	data := writeDataset(t, goRecords(10, "r"))
	for _, f := range []Format{Completion, Instruct, FIM} {
		t.Run(string(f), func(t *testing.T) {
			cfg := quickConfig(t, base, data)
			cfg.Format, cfg.MaxSteps = f, 2
			if _, err := Run(context.Background(), cfg, nil); err != nil {
				t.Fatal(err)
			}
			var sum struct{ Data struct{ Train PackStats } }
			b, _ := os.ReadFile(filepath.Join(cfg.Out, modelstore.TrainFile))
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatal(err)
			}
			st := sum.Data.Train
			// completion scores every token but the first of each sample
			partial := st.Scored < st.Tokens-int64(st.Samples)
			if st.Samples != 8 || partial != (f != Completion) {
				t.Fatalf("%s: pack stats %+v", f, st)
			}
		})
	}
}

// Micro-batches go through the engine as one graph each, windows side by
// side: a run with four windows per micro-batch follows the run that takes
// the same four windows one by one (gradient accumulation) step for step.
func TestRunMicroBatchMatchesAccumulation(t *testing.T) {
	base := testfixture.Path(t, "stories260K.gguf")
	data := writeDataset(t, goRecords(60, "go-repo"))
	losses := map[int][]float64{}
	for _, mb := range []int{1, 4} {
		cfg := quickConfig(t, base, data)
		cfg.MaxSteps, cfg.EvalEvery = 6, 0
		cfg.MicroBatch, cfg.GradAccum = mb, 4/mb
		if _, err := Run(context.Background(), cfg, nil); err != nil {
			t.Fatal(err)
		}
		for _, m := range readMetrics(t, cfg.Out) {
			if l, ok := m["loss"]; ok {
				losses[mb] = append(losses[mb], l)
			}
		}
	}
	t.Logf("train loss one by one %.5f, as micro-batches of 4 %.5f", losses[1], losses[4])
	if len(losses[1]) != 6 || len(losses[4]) != 6 {
		t.Fatalf("steps logged: %d and %d, want 6", len(losses[1]), len(losses[4]))
	}
	for i := range losses[1] {
		if math.Abs(losses[1][i]-losses[4][i]) > 1e-3*losses[1][i] {
			t.Errorf("step %d: loss %.5f one by one, %.5f as a micro-batch", i+1, losses[1][i], losses[4][i])
		}
	}
}

// A micro-batch's windows share one length: shorter ones are padded with an
// unscored sample of their own, and the step's windows go shortest first
// so that little is padded.
func TestMicroBatchesPadToOneLength(t *testing.T) {
	win := func(n int, tok int32) bindings.Window {
		w := bindings.Window{Tokens: slices.Repeat([]int32{tok}, n), Seg: make([]int32, n), Labels: slices.Repeat([]int32{tok}, n)}
		w.Seg[n-1] = 1 // two samples
		return w
	}
	windows := []bindings.Window{win(8, 1), win(8, 2), win(3, 3), win(5, 4), win(8, 5)}
	groups, tokens := microBatches(windows, []int{4, 0, 1, 2, 3}, 2)
	if tokens != 32 {
		t.Errorf("real tokens %d, want 32", tokens)
	}
	var lens [][]int
	for _, g := range groups {
		var l []int
		for _, w := range g {
			l = append(l, len(w.Tokens))
		}
		lens = append(lens, l)
	}
	if want := [][]int{{5, 5}, {8, 8}, {8}}; fmt.Sprint(lens) != fmt.Sprint(want) {
		t.Fatalf("group lengths %v, want %v (shortest first, padded to each group's longest)", lens, want)
	}
	p := groups[0][0] // the 3-token window padded to 5
	if fmt.Sprint(p.Tokens, p.Seg, p.Labels) != "[3 3 3 0 0] [0 0 1 2 2] [3 3 3 -1 -1]" {
		t.Errorf("padded window %v %v %v: want two unscored tokens in a sample of their own", p.Tokens, p.Seg, p.Labels)
	}
	if len(windows[2].Tokens) != 3 {
		t.Error("padding changed the stored window")
	}
}

// More threads than CPUs makes every step spin: the run says so before it
// loads anything.
func TestRunWarnsAboutTooManyThreads(t *testing.T) {
	cfg := quickConfig(t, testfixture.Path(t, "stories260K.gguf"), writeDataset(t, goRecords(20, "go-repo")))
	cfg.Threads = runtime.NumCPU() + 1
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var note string
	Run(ctx, cfg, func(e Event) {
		if strings.Contains(e.Message, "--threads") && note == "" {
			note = e.Message
			cancel() // the warning is all this test needs
		}
	})
	if want := fmt.Sprintf("--threads %d is more than the %d CPUs", cfg.Threads, runtime.NumCPU()); !strings.Contains(note, want) {
		t.Errorf("no warning about threads: %q", note)
	}
}
