package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chain is three steps a → b → c, each writing one file from its settings;
// runs counts how often each ran.
type chain struct {
	dir      string
	settings map[string]string
	input    string // an outside input of step a
	fail     string // name of a step that fails
	runs     map[string]int
}

func newChain(t *testing.T) *chain {
	dir := t.TempDir()
	c := &chain{dir: dir, settings: map[string]string{"a": "1", "b": "1", "c": "1"},
		input: filepath.Join(dir, "input.txt"), runs: map[string]int{}}
	if err := os.WriteFile(c.input, []byte("source"), 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *chain) out(name string) string { return filepath.Join(c.dir, "out", name) }

func (c *chain) steps() []Step {
	var steps []Step
	prev := ""
	for _, name := range []string{"a", "b", "c"} {
		s := Step{Name: name, Settings: c.settings[name], Outputs: []string{c.out(name)}}
		if prev != "" {
			s.After = []string{prev}
		} else {
			s.Inputs = []string{c.input}
		}
		s.Run = func(context.Context, bool) error {
			c.runs[name]++
			if c.fail == name {
				return errors.New("boom")
			}
			return writeFileAtomic(c.out(name), []byte(c.settings[name]))
		}
		steps = append(steps, s)
		prev = name
	}
	return steps
}

func (c *chain) run(t *testing.T) (string, error) {
	t.Helper()
	var log bytes.Buffer
	r := &Runner{StatePath: filepath.Join(c.dir, "out", "state.json"), Log: &log}
	err := r.Run(context.Background(), c.steps())
	return log.String(), err
}

func TestRunnerSkipsWhatIsUpToDate(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, c *chain)
		want   string // the steps that run again
	}{
		{"nothing changed", func(*testing.T, *chain) {}, ""},
		{"settings of the middle step", func(_ *testing.T, c *chain) { c.settings["b"] = "2" }, "bc"},
		{"settings of the last step", func(_ *testing.T, c *chain) { c.settings["c"] = "2" }, "c"},
		{"outside input", func(t *testing.T, c *chain) { touch(t, c.input, "edited source") }, "abc"},
		{"output deleted", func(t *testing.T, c *chain) { os.Remove(c.out("b")) }, "bc"},
		{"output edited by hand", func(t *testing.T, c *chain) { touch(t, c.out("a"), "hand-made") }, "abc"},
		{"state lost", func(t *testing.T, c *chain) { os.Remove(filepath.Join(c.dir, "out", StateFile)) }, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t)
			if _, err := c.run(t); err != nil {
				t.Fatal(err)
			}
			tt.change(t, c)
			c.runs = map[string]int{}
			log, err := c.run(t)
			if err != nil {
				t.Fatal(err)
			}
			ran := ""
			for _, name := range []string{"a", "b", "c"} {
				if c.runs[name] > 0 {
					ran += name
				}
			}
			if ran != tt.want {
				t.Fatalf("steps run again = %q, want %q\nlog:\n%s", ran, tt.want, log)
			}
			if n := strings.Count(log, "up to date, skipped"); n != 3-len(tt.want) {
				t.Fatalf("log says %d skipped, want %d:\n%s", n, 3-len(tt.want), log)
			}
		})
	}
}

func TestRunnerResumesAfterFailure(t *testing.T) {
	c := newChain(t)
	c.fail = "b"
	if _, err := c.run(t); err == nil || !strings.Contains(err.Error(), "step b: boom") {
		t.Fatalf("Run error = %v, want step b: boom", err)
	}
	c.fail = ""
	c.runs = map[string]int{}
	if _, err := c.run(t); err != nil {
		t.Fatal(err)
	}
	if c.runs["a"] != 0 || c.runs["b"] != 1 || c.runs["c"] != 1 {
		t.Fatalf("after the failure, runs = %v; want a skipped, b and c run", c.runs)
	}
}

func TestRunnerErrors(t *testing.T) {
	dir := t.TempDir()
	r := &Runner{StatePath: filepath.Join(dir, StateFile), Log: &bytes.Buffer{}}
	noop := func(context.Context, bool) error { return nil }
	tests := []struct {
		name  string
		steps []Step
		want  string
	}{
		{"output not made", []Step{{Name: "x", Outputs: []string{filepath.Join(dir, "nope")}, Run: noop}}, "step x finished without making"},
		{"after a later step", []Step{{Name: "x", After: []string{"y"}, Run: noop}, {Name: "y", Run: noop}}, `comes after "y"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := r.Run(context.Background(), tt.steps); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run error = %v, want %q", err, tt.want)
			}
		})
	}
	if err := os.WriteFile(r.StatePath, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "delete it to start over") {
		t.Fatalf("Run with a corrupt state = %v", err)
	}
}

func TestRunnerStepWithoutOutputsAlwaysRuns(t *testing.T) {
	runs := 0
	r := &Runner{StatePath: filepath.Join(t.TempDir(), StateFile), Log: &bytes.Buffer{}}
	steps := []Step{{Name: "show", Run: func(context.Context, bool) error { runs++; return nil }}}
	for range 2 {
		if err := r.Run(context.Background(), steps); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 2 {
		t.Fatalf("runs = %d, want 2", runs)
	}
}

func TestRunnerCancelled(t *testing.T) {
	c := newChain(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := &Runner{StatePath: filepath.Join(c.dir, StateFile), Log: &bytes.Buffer{}}
	if err := r.Run(ctx, c.steps()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if len(c.runs) != 0 {
		t.Fatalf("steps ran after cancellation: %v", c.runs)
	}
}

// TestRunnerResumesAfterKill kills a real process in the middle of step b
// (SIGKILL: no cleanup runs) and checks that the next run starts at b.
func TestRunnerResumesAfterKill(t *testing.T) {
	if os.Getenv("PIPELINE_KILL_CHILD") != "" {
		runKillChild()
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunnerResumesAfterKill$")
	cmd.Env = append(os.Environ(), "PIPELINE_KILL_CHILD="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := filepath.Join(dir, "b-started")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child never reached step b")
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	var st state
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil || json.Unmarshal(b, &st) != nil {
		t.Fatalf("state after the kill is not readable: %v %q", err, b)
	}
	if !st.Steps["a"].Done || st.Steps["b"].Done || len(st.Steps) != 2 {
		t.Fatalf("state after the kill records %+v, want a done and b started", st.Steps)
	}
	ran := map[string]bool{}
	resumed := map[string]bool{}
	steps := killSteps(dir, func(name string) { ran[name] = true })
	for i := range steps {
		run := steps[i].Run
		steps[i].Run = func(ctx context.Context, resume bool) error {
			resumed[steps[i].Name] = resume
			return run(ctx, resume)
		}
	}
	r := &Runner{StatePath: filepath.Join(dir, StateFile), Log: &bytes.Buffer{}}
	if err := r.Run(context.Background(), steps); err != nil {
		t.Fatal(err)
	}
	if ran["a"] || !ran["b"] || !ran["c"] {
		t.Fatalf("after the kill, ran %v; want b and c only", ran)
	}
	if !resumed["b"] || resumed["c"] {
		t.Fatalf("resume flags %v: want b resumed (it was killed), c started afresh", resumed)
	}
}

// runKillChild runs the kill test's steps, with step b hanging until killed.
func runKillChild() {
	dir := os.Getenv("PIPELINE_KILL_CHILD")
	steps := killSteps(dir, func(name string) {
		if name == "b" {
			os.WriteFile(filepath.Join(dir, "b-started"), nil, 0o644)
			select {}
		}
	})
	r := &Runner{StatePath: filepath.Join(dir, StateFile), Log: &bytes.Buffer{}}
	r.Run(context.Background(), steps)
}

func killSteps(dir string, hook func(name string)) []Step {
	var steps []Step
	prev := ""
	for _, name := range []string{"a", "b", "c"} {
		out := filepath.Join(dir, name+".out")
		s := Step{Name: name, Outputs: []string{out}, Run: func(context.Context, bool) error {
			hook(name)
			return writeFileAtomic(out, []byte(name))
		}}
		if prev != "" {
			s.After = []string{prev}
		}
		steps = append(steps, s)
		prev = name
	}
	return steps
}

// touch rewrites a file with a modification time that surely differs.
func touch(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

func TestFingerprintFollowsGitignore(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		".gitignore":         "/models/*\n*.log\n",
		"main.go":            "package main",
		"models/m.gguf":      "weights",
		"sub/x.log":          "noise",
		".git/HEAD":          "ref",
		"sub/keep/lib.go":    "package keep",
		"models/README.md":   "kept? no: /models/* ignores it",
		"datasets/d/a.jsonl": "{}",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	if err := walkTree(root+string(filepath.Separator), func(rel string, _ os.FileInfo) { seen = append(seen, rel) }); err != nil {
		t.Fatal(err)
	}
	want := "datasets/d/a.jsonl main.go sub/keep/lib.go"
	if got := strings.Join(seen, " "); got != want {
		t.Fatalf("walked %q, want %q", got, want)
	}
	before, _ := fingerprint([]string{root})
	touch(t, filepath.Join(root, "models", "m.gguf"), "new weights")
	if after, _ := fingerprint([]string{root}); after != before {
		t.Fatal("an ignored file changed the fingerprint")
	}
	touch(t, filepath.Join(root, "main.go"), "package main // edited")
	if after, _ := fingerprint([]string{root}); after == before {
		t.Fatal("an edited source file left the fingerprint unchanged")
	}
}
