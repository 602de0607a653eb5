package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/codeloom/codeloom/dataset"
)

// datasetFiles is the content of each file of a dataset folder but its
// manifest, whose creation time differs from run to run.
func datasetFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.Name() == dataset.ManifestFile {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	if len(out) == 0 {
		t.Fatalf("no dataset files in %s", dir)
	}
	return out
}

// manySources writes three sources of files, some repeating the functions
// of others, so that order matters to which copy dedup keeps.
func manySources(t *testing.T) []string {
	var dirs []string
	for s := range 3 {
		dir := t.TempDir()
		files := map[string]string{"LICENSE": mitLicense}
		for f := range 12 {
			files[fmt.Sprintf("pkg%d/f%02d.go", f%3, f)] = goFile(fmt.Sprintf("Fn%d", (s*12+f)%20), fmt.Sprintf("Other%d", f))
		}
		writeFiles(t, dir, files)
		dirs = append(dirs, dir)
	}
	return dirs
}

// TestRunSameOutputAnyWorkers checks that the dataset does not depend on
// how many workers share the files, and that progress counts every file
// and function once.
func TestRunSameOutputAnyWorkers(t *testing.T) {
	sources := manySources(t)
	var want map[string]string
	for _, workers := range []int{1, 2, 5} {
		o := testOptions(t, sources...)
		o.Workers, o.Jobs, o.Progress = workers, 2, &Progress{}
		m, err := Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Progress.Files.Load(); got != 36 {
			t.Errorf("workers=%d: progress counted %d files, want 36", workers, got)
		}
		if got := o.Progress.Functions.Load(); got != int64(m.Total.Functions) || got != 72 {
			t.Errorf("workers=%d: progress counted %d functions, manifest %d, want 72", workers, got, m.Total.Functions)
		}
		got := datasetFiles(t, o.Out)
		if want == nil {
			want = got
			continue
		}
		if !mapsEqual(got, want) {
			t.Errorf("workers=%d: dataset differs from workers=1", workers)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	ka, kb := keys(a), keys(b)
	if !slices.Equal(ka, kb) {
		return false
	}
	for _, k := range ka {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
