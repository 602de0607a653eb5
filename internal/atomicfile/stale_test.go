package atomicfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// deadPid is the pid of a process that ran and has been reaped, as a
// process killed with SIGKILL is.
func deadPid(t testing.TB) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	return cmd.Process.Pid
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Skipf("cannot start a child process: %v", err)
	}
	defer func() { live.Process.Kill(); live.Wait() }()
	dead := strconv.Itoa(deadPid(t))
	mk := func(name string, age time.Duration) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "data-00000.jsonl"), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		then := time.Now().Add(-age)
		if err := os.Chtimes(p, then, then); err != nil {
			t.Fatal(err)
		}
	}
	mk(".ds.tmp-pid"+dead+"-123", 0)                                      // killed writer: removed
	mk(".ds.tmp-pid"+strconv.Itoa(live.Process.Pid)+"-456", 48*time.Hour) // live writer, however old: kept
	mk(".ds.tmp-pid"+strconv.Itoa(os.Getpid())+"-789", 0)                 // this process: kept
	mk(".ds.tmp-4242", 48*time.Hour)                                      // an earlier codeloom's, long idle: removed
	mk(".ds.tmp-4343", time.Minute)                                       // an earlier codeloom's, recent: kept
	mk(".other.tmp-pid"+dead+"-1", 0)                                     // another dataset's: kept
	mk("ds", 48*time.Hour)                                                // the dataset itself: kept
	removed, err := RemoveStale(dir, ".ds.tmp-", LegacyAge)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if want := []string{".ds.tmp-4242", ".ds.tmp-pid" + dead + "-123"}; !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if len(left) != 5 || slices.Contains(left, ".ds.tmp-4242") || slices.Contains(left, ".ds.tmp-pid"+dead+"-123") {
		t.Errorf("left %q", left)
	}
	if removed, err := RemoveStale(filepath.Join(dir, "missing"), ".ds.tmp-", LegacyAge); err != nil || removed != nil {
		t.Errorf("missing folder: %q, %v", removed, err)
	}
}

// A temporary file that Write names after its process is what RemoveStale
// removes once that process is gone.
func TestWriteNamesTemporariesForRemoveStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), "train.json")
	f, err := os.CreateTemp(filepath.Dir(path), TempPattern(TempPrefix(path)))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got, _ := RemoveStale(filepath.Dir(path), TempPrefix(path), 0); got != nil {
		t.Fatalf("removed this live process's temporary %q", got)
	}
	if got, _ := writerPid(filepath.Base(f.Name())[len(TempPrefix(path)):]); got != os.Getpid() {
		t.Fatalf("%s does not name pid %d", f.Name(), os.Getpid())
	}
}
