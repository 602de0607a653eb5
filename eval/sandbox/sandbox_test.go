package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testUID is an unprivileged user no other process on the machine runs as,
// so "no process of testUID is left" means the sandbox cleaned up.
const testUID = 1_999_000

func py(code string) []string { return []string{"python3", "-c", code} }

var tight = Limits{
	CPU:      2 * time.Second,
	Memory:   256 << 20,
	Procs:    16,
	FileSize: 1 << 20,
	Files:    64,
	Scratch:  4 << 20,
	Timeout:  5 * time.Second,
}

func TestRunContains(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	tests := []struct {
		name   string
		argv   []string
		limits func(*Limits)
		ok     bool
		// output must contain each of these
		want     []string
		timedOut bool
		signal   string // the signal that must end it
	}{
		{name: "runs as the user in its own /tmp",
			argv: py("import os; print(os.getuid(), os.getcwd(), os.environ['HOME'], os.environ['TMPDIR'])"),
			ok:   true, want: []string{fmt.Sprint(testUID, " /tmp /tmp /tmp")}},
		{name: "sees no host temporary files and no host processes",
			argv: py("import os\nprint(os.listdir('/tmp'), os.listdir('/dev/shm'), os.getpid(), [p for p in os.listdir('/proc') if p.isdigit()])"),
			ok:   true, want: []string{"[] [] 1 ['1']"}},
		{name: "/dev/shm is small",
			argv: py("for i in range(8):\n    open(f'/dev/shm/f{i}', 'wb').write(b'x' * 900_000)"),
			want: []string{"No space left on device"}},
		{name: "no network: only a loopback device, and it is down",
			argv: py("import socket\nprint(socket.if_nameindex())\nsocket.create_connection(('1.1.1.1', 80), timeout=3)"),
			want: []string{"[(1, 'lo')]", "Network is unreachable"}},
		{name: "infinite loop killed at the CPU limit",
			argv:   py("while True: pass"),
			limits: func(l *Limits) { l.CPU, l.Timeout = time.Second, time.Minute },
			signal: "killed"},
		{name: "sleeper killed at the timeout",
			argv:     py("import time; time.sleep(60)"),
			limits:   func(l *Limits) { l.Timeout = time.Second },
			timedOut: true, signal: "killed"},
		{name: "fork bomb stopped at the process limit",
			argv:     py("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError as e:\n        print('refused:', e, flush=True)"),
			limits:   func(l *Limits) { l.Timeout = 2 * time.Second },
			want:     []string{"refused: [Errno 11] Resource temporarily unavailable"},
			timedOut: true, signal: "killed"},
		{name: "escaped process group dies with the run",
			argv: py("import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nprint('parent done')"),
			ok:   true, want: []string{"parent done"}},
		{name: "huge file stopped at the file size limit",
			argv: py("open('big', 'wb').write(b'x' * (64 << 20))"),
			want: []string{"File too large"}},
		{name: "many files stopped when /tmp is full",
			argv: py("for i in range(16):\n    open(f'f{i}', 'wb').write(b'x' * 900_000)"),
			want: []string{"No space left on device"}},
		{name: "memory stopped at the address space limit",
			argv: py("b = bytearray(1 << 30)"),
			want: []string{"MemoryError"}},
		{name: "output is capped",
			argv: py("import sys\nfor _ in range(10000): sys.stdout.write('y' * 1000)"),
			ok:   true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tight
			if tt.limits != nil {
				tt.limits(&l)
			}
			res, err := Run(context.Background(), Spec{
				Argv: tt.argv, Env: []string{"PATH=" + os.Getenv("PATH")},
				UID: testUID, GID: testUID, Limits: l, MaxOutput: 4096,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() != tt.ok || res.TimedOut != tt.timedOut {
				t.Errorf("ok=%v timedOut=%v (exit %d, signal %q), want ok=%v timedOut=%v; output:\n%s",
					res.OK(), res.TimedOut, res.ExitCode, res.Signal, tt.ok, tt.timedOut, res.Output)
			}
			for _, w := range tt.want {
				if !bytes.Contains(res.Output, []byte(w)) {
					t.Errorf("output lacks %q:\n%.2000s", w, res.Output)
				}
			}
			if len(res.Output) > 4096 {
				t.Errorf("kept %d bytes of output, cap is 4096", len(res.Output))
			}
			if res.Signal != tt.signal {
				t.Errorf("ended by signal %q, want %q", res.Signal, tt.signal)
			}
			if left := processesOf(t, testUID); len(left) > 0 {
				t.Errorf("processes of uid %d left running: %v", testUID, left)
			}
		})
	}
}

func TestRunDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	tests := []struct {
		name     string
		writable bool
		want     string
	}{
		{"read-only by default", false, "Read-only file system"},
		{"writable when asked", true, "wrote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code := "import os\nprint(sorted(os.listdir('/tmp/src')))\nopen('/tmp/src/out', 'w').write('x')\nprint('wrote')\n"
			if err := os.WriteFile(filepath.Join(dir, "prog.py"), []byte(code), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), Spec{Argv: []string{"python3", SrcDir + "/prog.py"}, Dir: dir, DirWritable: tt.writable,
				Env: []string{"PATH=" + os.Getenv("PATH")}, UID: testUID, GID: testUID, Limits: tight})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(res.Output, []byte("['prog.py']")) || !bytes.Contains(res.Output, []byte(tt.want)) {
				t.Errorf("output lacks the listing or %q:\n%s", tt.want, res.Output)
			}
			_, err = os.Stat(filepath.Join(dir, "out"))
			if written := err == nil; written != tt.writable {
				t.Errorf("file written on the host: %v, want %v", written, tt.writable)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	_, err := Run(context.Background(), Spec{Argv: []string{"no-such-program-xyz"}, Env: []string{"PATH=/usr/bin"}, UID: testUID, GID: testUID})
	if err == nil || !strings.Contains(err.Error(), "no-such-program-xyz") {
		t.Errorf("missing program: err = %v, want one naming it", err)
	}
	if _, err := Run(context.Background(), Spec{}); err == nil {
		t.Error("empty command: no error")
	}
	// A private root that cannot be built as asked is an error, never a
	// run with less isolation.
	for _, m := range []Mount{{Path: "relative"}, {Path: "/usr/lib", Writable: true}, {Path: "/proc/1"}, {Path: "/no/such/path-xyz"}} {
		_, err := Run(context.Background(), Spec{Argv: []string{"true"}, Env: []string{"PATH=/usr/bin"}, Mounts: []Mount{m}, UID: testUID, GID: testUID})
		if err == nil || !strings.Contains(err.Error(), m.Path) {
			t.Errorf("mount %+v: err = %v, want one naming it", m, err)
		}
	}
}

// processesOf lists the pids whose real uid is uid. Processes killed a moment
// ago may still be exiting, so it retries briefly before reporting them.
func processesOf(t *testing.T, uid int) []string {
	t.Helper()
	var pids []string
	for range 20 {
		pids = pids[:0]
		status, _ := filepath.Glob("/proc/[0-9]*/status")
		for _, s := range status {
			b, err := os.ReadFile(s)
			if err != nil {
				continue
			}
			if bytes.Contains(b, []byte(fmt.Sprintf("\nUid:\t%d\t", uid))) {
				pids = append(pids, filepath.Base(filepath.Dir(s)))
			}
		}
		if len(pids) == 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return pids
}

// BenchmarkRun measures the cost of the sandbox itself: namespaces, the
// helper's re-execution, mounts and limits around a program that does
// nothing.
func BenchmarkRun(b *testing.B) {
	spec := Spec{Argv: []string{"true"}, Env: []string{"PATH=/usr/bin:/bin"}, UID: testUID, GID: testUID, Limits: tight}
	for b.Loop() {
		res, err := Run(context.Background(), spec)
		if err != nil || !res.OK() {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
