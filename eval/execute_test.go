package eval

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/eval/sandbox"
)

// TestExecute runs testdata/samples.jsonl against testdata/tasks.jsonl: the
// canonical solutions pass, wrong ones fail, and the hostile ones (infinite
// loop, fork bomb, network call, huge write, endless Go loop) are contained.
func TestExecute(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	tasks, err := LoadTasks("testdata/tasks.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	samples, err := LoadSamples("testdata/samples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	limits := sandbox.Limits{CPU: time.Second, Timeout: 2 * time.Second, Memory: 256 << 20, Procs: 16,
		FileSize: 1 << 20, Scratch: 8 << 20, Files: 64}
	const baseUID = 1_998_000
	out, err := Execute(context.Background(), tasks, samples, ExecOptions{Limits: limits, Workers: 2, BaseUID: baseUID})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		task, what string
		status     []string // any of these
		output     string   // the output must contain this
	}{
		{"Py/add", "canonical solution", []string{StatusPassed}, ""},
		{"Py/add", "wrong answer", []string{StatusFailed}, "AssertionError"},
		{"Py/add", "infinite loop", []string{StatusFailed, StatusTimeout}, "ended by signal: killed"},
		{"Py/add", "fork bomb", []string{StatusTimeout, StatusFailed}, ""},
		{"Py/add", "network call", []string{StatusFailed}, "Network is unreachable"},
		{"Py/add", "huge write", []string{StatusFailed}, "File too large"},
		{"Go/reverse", "canonical solution", []string{StatusPassed}, ""},
		{"Go/reverse", "wrong answer", []string{StatusFailed}, `Reverse("abc") = "abc", want "cba"`},
		{"Go/reverse", "compile error", []string{StatusBuildFailed}, "syntax error"},
		{"Go/reverse", "infinite loop", []string{StatusFailed, StatusTimeout}, ""},
	}
	if len(out) != len(want) {
		t.Fatalf("%d outcomes for %d samples", len(out), len(want))
	}
	for i, w := range want {
		o := out[i]
		if o.TaskID != w.task || !contains(w.status, o.Status) || !strings.Contains(o.Output, w.output) {
			t.Errorf("%s %s: task %s status %s, want %v with %q in output:\n%s", w.task, w.what, o.TaskID, o.Status, w.status, w.output, o.Output)
		}
		if o.Seconds > 10 {
			t.Errorf("%s %s took %.1fs", w.task, w.what, o.Seconds)
		}
	}
	if out[0].Sample != 0 || out[5].Sample != 5 || out[6].Sample != 0 {
		t.Errorf("sample indices %d %d %d, want 0 5 0", out[0].Sample, out[5].Sample, out[6].Sample)
	}

	// Py/add: 6 samples, 1 passed; Go/reverse: 4 samples, 1 passed; k = 4.
	// pass@1 = (1/6 + 1/4) / 2; pass@4 = ((1 - C(5,4)/C(6,4)) + 1) / 2 = (2/3 + 1) / 2.
	got, err := ScorePassAt(out, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.K != 4 || !near(got.Pass1, 5.0/24) || !near(got.PassK, 5.0/6) || got.Tasks != 2 || got.Samples != 10 {
		t.Errorf("ScorePassAt = k %d pass@1 %v pass@k %v tasks %d samples %d; want 4, 5/24, 5/6, 2, 10",
			got.K, got.Pass1, got.PassK, got.Tasks, got.Samples)
	}
	if _, err := ScorePassAt(out, 5); err == nil {
		t.Error("pass@5 with a 4-sample task: no error")
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestExecuteChecksSamples(t *testing.T) {
	tasks := []Task{{TaskID: "a", Language: LangPython, EntryPoint: "f"}, {TaskID: "b", Language: LangPython, EntryPoint: "f"}}
	tests := []struct {
		name    string
		samples []Sample
		want    string
	}{
		{"unknown task", []Sample{{TaskID: "a"}, {TaskID: "b"}, {TaskID: "c"}}, `task "c"`},
		{"task without samples", []Sample{{TaskID: "a"}}, "task b has no completion"},
	}
	for _, tt := range tests {
		_, err := Execute(context.Background(), tasks, tt.samples, ExecOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}

func TestLoadTasks(t *testing.T) {
	plain, err := os.ReadFile("testdata/tasks.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	tests := []struct {
		name, body string
		want       string // error text; "" for success
	}{
		{"plain", string(plain), ""},
		{"gzip", gz.String(), ""},
		{"duplicate", `{"task_id":"x","entry_point":"f"}` + "\n" + `{"task_id":"x","entry_point":"f"}`, "appears twice"},
		{"unknown language", `{"task_id":"x","language":"cobol"}`, `language "cobol"`},
		{"no entry point", `{"task_id":"x"}`, "no entry_point"},
		{"bad json", `{"task_id":`, "tasks.jsonl:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tasks.jsonl")
			if err := os.WriteFile(path, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			tasks, err := LoadTasks(path)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tasks) != 2 || tasks[0].Language != LangPython || tasks[1].Language != LangGo || tasks[0].EntryPoint != "add" {
				t.Errorf("tasks = %+v", tasks)
			}
		})
	}
}
