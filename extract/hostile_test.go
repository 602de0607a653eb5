package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codeloom/codeloom/dataset"
)

// nestedJS is a JavaScript file of n named functions, each inside the one
// before: every function's text holds all the ones inside it, so records
// that copy their bodies grow with the square of n.
func nestedJS(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "function f%d() {\n", i)
	}
	for range n {
		b.WriteString("}\n")
	}
	return b.String()
}

// nestingChildEnv makes the test binary, run as a child, extract one file
// of that many nested functions and print what the run found.
const nestingChildEnv = "CODELOOM_TEST_NESTING"

// TestNestingChild is the child's side of TestNestingBounded: it does
// nothing in a plain test run.
func TestNestingChild(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(nestingChildEnv))
	if err != nil {
		t.Skip("run by TestNestingBounded")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"nested.js": nestedJS(n)})
	o := testOptions(t, dir)
	m, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("functions=%d kept=%d removed=%v\n", m.Total.Functions, m.Total.Kept, m.Total.Removed)
}

// nestingRun runs the child on n nested functions and returns its peak
// resident memory, its time and its output; limit ends it early.
func nestingRun(t *testing.T, n int, limit time.Duration) (rss int64, took time.Duration, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestNestingChild$", "-test.count", "1", "-test.v")
	cmd.Env = append(os.Environ(), nestingChildEnv+"="+strconv.Itoa(n))
	start := time.Now()
	b, err := cmd.CombinedOutput()
	took = time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("%d nested functions: not done after %v", n, limit)
	}
	if err != nil {
		t.Fatalf("%d nested functions: %v\n%s", n, err, b)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return ru.Maxrss << 10, took, string(b) // Maxrss is in KiB on Linux
}

// TestNestingBounded extracts 12,000 nested functions (265 KB, well under
// the file size limit) in a child process and bounds its peak memory and
// time: each function's record held the text of all those inside it, which
// took 3.4 GB and 38 s.
func TestNestingBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child extraction")
	}
	rss, took, out := nestingRun(t, 12000, 60*time.Second)
	t.Logf("12000 nested functions: peak RSS %d MB, %v\n%s", rss>>20, took.Round(time.Millisecond), out)
	if rss > 200<<20 {
		t.Errorf("peak RSS %d MB, want at most 200 MB", rss>>20)
	}
	if took > 15*time.Second {
		t.Errorf("took %v, want at most 15s", took)
	}
}

// extractListed walks root as a run does, lets change alter the folder
// between the walk and the reads, then extracts the listed files through
// the pool: the seam where a file can be swapped during a run.
func extractListed(t *testing.T, root string, change func()) ([]fileEntry, []fileResult) {
	t.Helper()
	files, _, err := listFiles(context.Background(), root, nil, DefaultMaxFileBytes)
	if err != nil {
		t.Fatal(err)
	}
	change()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := startPool(ctx, 1, 0, DefaultMaxFileBytes, new(Progress))
	defer p.stop()
	run := &sourceRun{repo: "test", filters: new(dataset.Filters)}
	results, err := p.extractAll(ctx, run, files)
	if err != nil {
		t.Fatal(err)
	}
	return files, results
}

// TestReadSwappedFile replaces, after the walk listed it, a source file by
// a symlink to a file outside the source, by a symlink to /dev/zero, by a
// named pipe and (where the test may make one) by a device: none is
// followed, read or waited on, each is a counted skip, and the file next
// to it is still extracted.
func TestReadSwappedFile(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.go")
	if err := os.WriteFile(outside, []byte(goFile("OutsideSecret")), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		swap   func(p string) error
		reason string
	}{
		{"symlink outside", func(p string) error { return os.Symlink(outside, p) }, SkipSymlink},
		{"symlink to /dev/zero", func(p string) error { return os.Symlink("/dev/zero", p) }, SkipSymlink},
		{"named pipe", func(p string) error { return syscall.Mkfifo(p, 0o644) }, SkipNotRegular},
		{"device", func(p string) error { return syscall.Mknod(p, syscall.S_IFCHR|0o644, 1<<8|5) }, SkipNotRegular}, // 1,5: /dev/zero
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{"a.go": goFile("Inside"), "b.go": goFile("Other")})
			a := filepath.Join(root, "a.go")
			var swapErr error
			files, results := extractListed(t, root, func() {
				if err := os.Remove(a); err != nil {
					t.Fatal(err)
				}
				swapErr = tc.swap(a)
			})
			if swapErr != nil {
				t.Skipf("cannot make it here: %v", swapErr)
			}
			if len(files) != 2 || files[0].rel != "a.go" {
				t.Fatalf("walk listed %v", files)
			}
			got := results[0]
			if got.skipped == nil || got.skipped.reason != tc.reason || got.counts.FilesSkippedBy[tc.reason] != 1 || len(got.records) != 0 {
				t.Errorf("a.go: skipped %+v, counts %+v, %d records; want skipped as %s", got.skipped, got.counts, len(got.records), tc.reason)
			}
			for _, res := range results {
				for _, r := range res.records {
					if strings.Contains(r.Code, "OutsideSecret") {
						t.Errorf("the outside file's function %s is in the dataset", r.Name)
					}
				}
			}
			if len(results[1].records) != 1 || results[1].records[0].Name != "Other" {
				t.Errorf("b.go: %d records, want Other", len(results[1].records))
			}
		})
	}
}

// TestReadSizeCap reads files that are larger than the limit although the
// walk saw them small: the reader stops one byte past the limit, whatever
// the size said, so a file that grows, or a device, cannot fill memory.
func TestReadSizeCap(t *testing.T) {
	p := filepath.Join(t.TempDir(), "grown.go")
	if err := os.WriteFile(p, []byte(strings.Repeat("x := 1\n", 700)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := sourceReader{maxBytes: 1000}
	_, reason, _ := r.read(fileEntry{rel: "grown.go", abs: p, size: 10})
	if reason != SkipTooLarge {
		t.Errorf("a file over the limit: reason %q, want %s", reason, SkipTooLarge)
	}
	if cap(r.buf) > 1001 {
		t.Errorf("the reader's buffer grew to %d bytes for a limit of 1000", cap(r.buf))
	}
	// A device opened by its own name is refused by its kind before
	// any read.
	if _, err := r.readFile("/dev/zero", 0); !errors.Is(err, errNotRegular) {
		t.Errorf("/dev/zero: %v, want %v", err, errNotRegular)
	}
}

// TestRunSpecialFiles puts a named pipe and (where the test may make one)
// a device with source file names in a folder: the run does not wait on
// them and counts them as skipped.
func TestRunSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"ok.go": goFile("Alpha")})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.go"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := 1
	if err := syscall.Mknod(filepath.Join(dir, "dev.py"), syscall.S_IFCHR|0o644, 1<<8|5); err == nil {
		want++
	} else {
		t.Logf("no device node: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	o := testOptions(t, dir)
	m, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Sources[0].Counts
	if c.FilesSkippedBy[SkipNotRegular] != want || c.FilesSkipped != want || c.FilesSeen != want+1 {
		t.Errorf("counts %+v; want %d files skipped as %s of %d seen", c, want, SkipNotRegular, want+1)
	}
	listed := 0
	for _, f := range m.Sources[0].SkippedFiles {
		if f.Reason == SkipNotRegular {
			listed++
		}
	}
	if listed != want {
		t.Errorf("skipped files listed: %+v", m.Sources[0].SkippedFiles)
	}
	if recs := readAll(t, o.Out); len(recs) != 1 || recs[0].Name != "Alpha" {
		t.Errorf("records %v, want Alpha", recs)
	}
}

// TestReadSwappedFolder replaces, after the walk listed a file in it, a
// folder by a symlink to a folder outside the source that holds a file of
// the same name: opening the file by its path would follow the folder's
// symlink, which O_NOFOLLOW alone does not see.
func TestReadSwappedFolder(t *testing.T) {
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"a.go": goFile("OutsideSecret")})
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"sub/a.go": goFile("Inside")})
	_, results := extractListed(t, root, func() {
		if err := os.RemoveAll(filepath.Join(root, "sub")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(root, "sub")); err != nil {
			t.Fatal(err)
		}
	})
	if noOpenat2.Load() {
		t.Skip("the system has no openat2")
	}
	if len(results) != 1 {
		t.Fatalf("%d results, want 1", len(results))
	}
	if got := results[0]; got.skipped == nil || got.skipped.reason != SkipSymlink || len(got.records) != 0 {
		for _, r := range got.records {
			t.Errorf("read through the swapped folder: %s", r.Name)
		}
		t.Errorf("sub/a.go: skipped %+v, want skipped as %s", got.skipped, SkipSymlink)
	}
}
