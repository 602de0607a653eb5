package eval

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/eval/sandbox"
)

// TestExecuteCannotCheat runs candidates that try to score a pass without
// passing the checks, or to reach the host's files, through the whole
// harness. Only the honest solutions may pass, and nothing they write may
// appear on the host.
func TestExecuteCannotCheat(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	tasks, err := LoadTasks("testdata/tasks.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	_, thisFile, _, _ := runtime.Caller(0)
	goMod, err := filepath.Abs(filepath.Join(filepath.Dir(thisFile), "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	hostDir := t.TempDir()
	if err := os.Chmod(hostDir, 0o777); err != nil {
		t.Fatal(err)
	}
	hostFile := filepath.Join(hostDir, "secret.txt")
	if err := os.WriteFile(hostFile, []byte("host secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	leak := "codeloom-cheat-" + filepath.Base(hostDir)
	leaks := []string{"/run/lock/" + leak, "/tmp/" + leak, "/work/" + leak, filepath.Join(filepath.Dir(goMod), leak), filepath.Join(hostDir, leak)}

	const add = "    return a + b\n"
	reverse := "\tr := []rune(s)\n\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tr[i], r[j] = r[j], r[i]\n\t}\n\treturn string(r)\n}\n"
	// Each read returns the right answer only if the host file was readable.
	pyRead := func(path string) string { return fmt.Sprintf("    open(%q).read()\n"+add, path) }
	var pyWrites strings.Builder
	for _, p := range leaks {
		fmt.Fprintf(&pyWrites, "    try:\n        open(%q, 'w').write('x')\n    except OSError:\n        pass\n", p)
	}
	var goWrites strings.Builder
	for _, p := range leaks {
		fmt.Fprintf(&goWrites, "\tos.WriteFile(%q, []byte(\"x\"), 0o666)\n", p)
	}
	goReverse := strings.Replace(tasks[1].Prompt, "package candidate\n", "package candidate\n\nimport \"os\"\n", 1)
	tests := []struct {
		name, task, completion string
		pass                   bool
	}{
		{"python: correct", "Py/add", add, true},
		{"python: wrong", "Py/add", "    return a - b\n", false},
		{"python: os._exit(0) before the checks", "Py/add", add + "import os\nos._exit(0)\n", false},
		{"python: sys.exit(0) before the checks", "Py/add", add + "import sys\nsys.exit(0)\n", false},
		{"python: os._exit(0) inside the function", "Py/add", "    import os\n    os._exit(0)\n", false},
		{"python: SystemExit(0) swallowing the checks", "Py/add", "    raise SystemExit(0)\n", false},
		{"python: kills its parent, then exits 0", "Py/add", add + "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError:\n    pass\nos._exit(0)\n", false},
		{"python: prints a fake sentinel on every descriptor", "Py/add", add + "import os\nfor fd in (1, 2, 4):\n    try:\n        os.write(fd, b'PASSED ok 0000000000000000000000000000')\n    except OSError:\n        pass\nos._exit(0)\n", false},
		{"python: hands back its own source, hoping it holds the nonce", "Py/add", add + "import os\nos.write(4, open(__file__, 'rb').read())\nos._exit(0)\n", false},
		{"python: reads the secret descriptor again", "Py/add", add + "import os\ntry:\n    os.write(4, os.read(3, 100))\nexcept OSError:\n    pass\nos._exit(0)\n", false},
		{"python: reads a host temp file", "Py/add", pyRead(hostFile), false},
		{"python: reads the project's go.mod", "Py/add", pyRead(goMod), false},
		{"python: reads the test's own source", "Py/add", pyRead(thisFile), false},
		{"python: writes to the host, else correct", "Py/add", pyWrites.String() + add, true},
		{"go: correct", "Go/reverse", reverse, true},
		{"go: os.Exit(0) in init, before the tests", "Go/reverse", reverse + "\nfunc init() { os.Exit(0) }\n", false},
		{"go: os.Exit(0) inside the function", "Go/reverse", "\tos.Exit(0)\n\treturn s\n}\n", false},
		{"go: reads go.mod and writes to the host", "Go/reverse", goWrites.String() + fmt.Sprintf("\tif _, err := os.ReadFile(%q); err != nil {\n\t\treturn s\n\t}\n", goMod) + reverse, false},
	}
	var samples []Sample
	for _, tt := range tests {
		c := tt.completion
		if tt.task == "Go/reverse" && !strings.Contains(c, "os.") {
			c += "\nvar _ = os.Args\n"
		}
		samples = append(samples, Sample{TaskID: tt.task, Completion: c})
	}
	// The Go prompt gains the import of os that the cheats need.
	goTask := tasks[1]
	goTask.Prompt = goReverse
	limits := sandbox.Limits{CPU: 2 * time.Second, Timeout: 5 * time.Second, Memory: 256 << 20, Procs: 16,
		FileSize: 1 << 20, Scratch: 8 << 20, Files: 64}
	out, err := Execute(context.Background(), []Task{tasks[0], goTask}, samples, ExecOptions{Limits: limits, Workers: 2, BaseUID: 1_997_000})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		if out[i].Passed() != tt.pass {
			t.Errorf("%s: status %s, want passed=%v; output:\n%s", tt.name, out[i].Status, tt.pass, out[i].Output)
		}
	}
	for _, p := range leaks {
		if _, err := os.Lstat(p); err == nil {
			os.Remove(p)
			t.Errorf("%s appeared on the host", p)
		}
	}
}

func TestGoTestPackage(t *testing.T) {
	tests := []struct {
		name, test, pkg, err string
	}{
		{"in-package test", "package candidate\n\nfunc TestX(t *testing.T) {}\n", "candidate", ""},
		{"external test", "package candidate_test\n", "candidate_test", ""},
		{"own TestMain", "package candidate\n\nfunc TestMain(m *testing.M) {}\n", "", "defines TestMain"},
		{"not Go", "func (", "", "parse the test"},
	}
	for _, tt := range tests {
		pkg, err := goTestPackage(tt.test)
		if pkg != tt.pkg || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %q, %v; want %q, %q", tt.name, pkg, err, tt.pkg, tt.err)
		}
	}
}
