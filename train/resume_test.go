package train

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/modelstore"
)

// deadPid is the pid of a process that ran and has been reaped, as one
// killed with SIGKILL is.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	return cmd.Process.Pid
}

// snapshot maps every file under dir to its content, and every folder to "/".
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			files[rel] = "/"
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A run killed with SIGKILL after its last checkpoint leaves metrics lines
// past that checkpoint (the last one half written) and temporary folders.
// Resuming it leaves metrics.jsonl valid, with each step once, and removes
// the temporaries of dead processes only.
func TestResumeAfterKill(t *testing.T) {
	base := tinyBase(t, false)
	cfg := quickConfig(t, base, writeDataset(t, goRecords(40, "r")))
	cfg.MaxSteps, cfg.EvalEvery = 10, 0
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := Run(ctx, cfg, func(e Event) {
		if e.Kind == "step" && e.Step == 4 {
			cancel()
		}
	}); err == nil {
		t.Fatal("the cancelled run did not say so")
	}
	// The run went on to step 6 (checkpoint at 4) and was killed while
	// writing step 7's line, a checkpoint and train.json.
	mf, err := os.OpenFile(filepath.Join(cfg.Out, MetricsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(mf, `{"epoch":0,"loss":3.1,"lr":0.009,"step":5}`+"\n"+`{"epoch":0,"loss":3,"lr":0.008,"step":6}`+"\n"+`{"epoch":0,"lo`)
	mf.Close()
	dead, root := deadPid(t), filepath.Join(cfg.Out, modelstore.CheckpointsDir)
	litter := []string{
		filepath.Join(root, fmt.Sprintf(".tmp-step-pid%d-812", dead)),
		filepath.Join(root, ".tmp-step-00000002-5150"), // an earlier codeloom's, two days old
		filepath.Join(cfg.Out, fmt.Sprintf(".train.json.tmp-pid%d-77", dead)),
	}
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Skipf("cannot start a child process: %v", err)
	}
	defer func() { live.Process.Kill(); live.Wait() }()
	keep := []string{
		filepath.Join(root, fmt.Sprintf(".tmp-step-pid%d-9", live.Process.Pid)), // a live process's
		filepath.Join(cfg.Out, "notes.txt"),
		filepath.Join(cfg.Out, ".tmp-step-pid1-2"), // checkpoint names belong in checkpoints/
	}
	for _, p := range append(slices.Clone(litter), keep...) {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(litter[1], old, old)

	cfg.Resume = true
	var info []string
	if _, err := Run(context.Background(), cfg, func(e Event) {
		if e.Kind == "info" {
			info = append(info, e.Message)
		}
	}); err != nil {
		t.Fatal(err)
	}
	var steps, evals []int
	for _, l := range readMetrics(t, cfg.Out) { // fails on a line that is not JSON
		if _, ok := l["val_loss"]; ok {
			evals = append(evals, int(l["step"]))
		} else {
			steps = append(steps, int(l["step"]))
		}
	}
	if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(steps, want) || !slices.Equal(evals, []int{0, 10}) {
		t.Errorf("metrics.jsonl steps %v, evaluations %v; want %v and [0 10]", steps, evals, want)
	}
	if !strings.Contains(strings.Join(info, "\n"), "dropped 3 lines written after the checkpoint at step 4") {
		t.Errorf("resume did not say what it dropped: %q", info)
	}
	for _, p := range litter {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived the next run", p)
		}
	}
	for _, p := range keep {
		if b, err := os.ReadFile(p); err != nil || string(b) != "partial" {
			t.Errorf("%s was touched: %q, %v", p, b, err)
		}
	}
}

// Resuming a finished run says so and changes nothing; resuming a run killed
// between its last checkpoint and train.json writes the same record as the
// run would have.
func TestResumeFinishedRun(t *testing.T) {
	base := tinyBase(t, false)
	cfg := quickConfig(t, base, writeDataset(t, goRecords(20, "r")))
	cfg.MaxSteps, cfg.EvalEvery = 4, 2
	first, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, cfg.Out)
	cfg.Resume = true
	var info []string
	res, err := Run(context.Background(), cfg, func(e Event) {
		if e.Kind == "info" {
			info = append(info, e.Message)
		}
	})
	if err != nil || res == nil || *res != *first {
		t.Fatalf("resuming a finished run: %+v, %v; want %+v", res, err, first)
	}
	if !strings.Contains(strings.Join(info, "\n"), "already finished: completed 4 of 4 steps") {
		t.Errorf("resume did not say the run is finished: %q", info)
	}
	if after := snapshot(t, cfg.Out); !maps.Equal(before, after) {
		for p := range maps.Keys(after) {
			if before[p] != after[p] {
				t.Errorf("%s changed", p)
			}
		}
		for p := range maps.Keys(before) {
			if _, ok := after[p]; !ok {
				t.Errorf("%s was removed", p)
			}
		}
	}

	// Killed after the last checkpoint, before train.json.
	sum := filepath.Join(cfg.Out, modelstore.TrainFile)
	want := readState(t, cfg.Out)
	os.Remove(sum)
	res, err = Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := readState(t, cfg.Out)
	if res.TrainLoss != first.TrainLoss || got.BadEvals != want.BadEvals || !slices.Equal(got.History, want.History) {
		t.Errorf("resumed at the end: train loss %v, bad evals %d, history %+v; want %v, %d, %+v",
			res.TrainLoss, got.BadEvals, got.History, first.TrainLoss, want.BadEvals, want.History)
	}
	if m, _ := os.ReadFile(filepath.Join(cfg.Out, MetricsFile)); bytes.Count(m, []byte(`"val_loss"`)) != 3 {
		t.Errorf("metrics.jsonl has %d validation lines, want 3 (steps 0, 2, 4)", bytes.Count(m, []byte(`"val_loss"`)))
	}
}
