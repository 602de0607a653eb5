package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/dataset"
)

func TestExtractCommand(t *testing.T) {
	src := t.TempDir()
	code := "package demo\n\n// Total adds up values.\nfunc Total(values []int) int {\n\tsum := 0\n\tfor _, v := range values {\n\t\tsum += v\n\t}\n\treturn sum\n}\n"
	if err := os.WriteFile(filepath.Join(src, "demo.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "ds")
	cache := t.TempDir()

	code1, output := runCLI("extract", "--out", out, "--cache", cache, "--val-ratio", "0", "--quiet", src)
	if code1 != 0 || !strings.Contains(output, "1 functions kept (train 1, validation 0) of 1 found in 1 files from 1 sources") {
		t.Fatalf("exit %d: %s", code1, output)
	}
	m, err := dataset.ReadManifest(out)
	if err != nil || m.Total.Kept != 1 || m.Settings["val_ratio"] != 0.0 {
		t.Fatalf("manifest %+v, %v", m, err)
	}

	// Flag errors are usage errors (exit 2).
	for _, args := range [][]string{
		{"extract", "--out", out},
		{"extract", "--out", out, "--languages", "cobol", src},
		{"extract", "--out", out, "--licenses", ",", src},
		{"extract", "--out", out, "--val-ratio", "1", src},
		{"extract", "--out", out, "--dedup-threshold", "0", src},
	} {
		if code, output := runCLI(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, output)
		}
	}

	// Every source failing is an error (exit 1), reported per source.
	code2, output := runCLI("extract", "--out", out, "--cache", cache, "--quiet", "no/such/folder")
	if code2 != 1 || !strings.Contains(output, "failed: no/such/folder") {
		t.Errorf("exit %d: %s", code2, output)
	}
}

// TestSpareProcessor checks that extract's workers get one processor more
// than they are, and that a larger setting is kept.
func TestSpareProcessor(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	spareProcessor(prev)
	if got := runtime.GOMAXPROCS(0); got != prev+1 {
		t.Fatalf("%d workers: GOMAXPROCS %d, want %d", prev, got, prev+1)
	}
	spareProcessor(1)
	if got := runtime.GOMAXPROCS(0); got != prev+1 {
		t.Fatalf("1 worker lowered GOMAXPROCS to %d", got)
	}
	runtime.GOMAXPROCS(1)
	spareProcessor(0)
	if got, want := runtime.GOMAXPROCS(0), runtime.NumCPU()+1; got != want {
		t.Fatalf("default workers: GOMAXPROCS %d, want %d", got, want)
	}
}
