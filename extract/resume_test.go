package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/codeloom/codeloom/dataset"
)

// TestRunResumes checks that a rerun reuses the sources a previous run
// finished, that --force extracts them again, and that a run adding a
// source only extracts the new one.
func TestRunResumes(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeFiles(t, a, map[string]string{"a.go": goFile("First")})
	writeFiles(t, b, map[string]string{"b.go": goFile("Second")})
	o := testOptions(t, a)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	// Changed on disk: a resumed run does not see it, a forced one does.
	writeFiles(t, a, map[string]string{"a2.go": goFile("Third")})
	o.Sources = []string{a, b}
	m, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Sources[0].Resumed || m.Sources[1].Resumed || m.Total.Kept != 2 {
		t.Errorf("rerun: resumed %v %v, kept %d; want true false 2", m.Sources[0].Resumed, m.Sources[1].Resumed, m.Total.Kept)
	}
	o.Force = true
	m, err = Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if m.Sources[0].Resumed || m.Sources[1].Resumed || m.Total.Kept != 3 {
		t.Errorf("forced: resumed %v %v, kept %d; want false false 3", m.Sources[0].Resumed, m.Sources[1].Resumed, m.Total.Kept)
	}
}

// TestRunCancelledKeepsPrevious checks that a run that does not finish
// leaves the dataset of the previous run as it was.
func TestRunCancelledKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.go": goFile("Kept")})
	o := testOptions(t, dir)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(o.Out, dataset.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o.Force = true
	if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	after, err := os.ReadFile(filepath.Join(o.Out, dataset.ManifestFile))
	if err != nil || string(after) != string(before) {
		t.Fatalf("previous dataset changed (err %v)", err)
	}
	if recs := readAll(t, o.Out); len(recs) != 1 || recs[0].Name != "Kept" {
		t.Errorf("previous records: %v", recs)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(o.Out), ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary folders left: %v", leftovers)
	}
}

// TestRunRefreshesCachedClone checks that a forced rerun fetches the new
// commits of a branch into the cached clone.
func TestRunRefreshesCachedClone(t *testing.T) {
	repo, first, _ := makeRepo(t)
	o := testOptions(t, "file://"+filepath.ToSlash(repo))
	m, err := Run(context.Background(), o)
	if err != nil || m.Sources[0].Commit != first.String() {
		t.Fatalf("first run: %v, %+v", err, m.Sources)
	}
	r, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := r.Worktree()
	writeFiles(t, repo, map[string]string{"calc/new.go": goFile("Fresh")})
	if _, err := w.Add("calc/new.go"); err != nil {
		t.Fatal(err)
	}
	third, err := w.Commit("third", &git.CommitOptions{Author: &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(1700000100, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	o.Force = true
	m, err = Run(context.Background(), o)
	if err != nil || m.Sources[0].Status != StatusOK || m.Sources[0].Commit != third.String() || m.Total.Kept != 3 {
		t.Fatalf("refresh: %v, %+v", err, m.Sources)
	}
}

// TestListFilesIgnores checks .gitignore files at two levels and the
// vendored folders rule.
func TestListFilesIgnores(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".gitignore":        "build/\n*_gen.py\n",
		"src/.gitignore":    "local.py\n",
		"src/main.py":       "x = 1\n",
		"src/local.py":      "x = 1\n",
		"src/api_gen.py":    "x = 1\n",
		"build/out.py":      "x = 1\n",
		"lib/local.py":      "x = 1\n",
		"vendor/dep/dep.go": "package dep\n",
		"node_modules/x.js": "var x;\n",
		".git/hooks/h.py":   "x = 1\n",
	})
	files, skipped, err := listFiles(context.Background(), dir, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.rel)
	}
	if len(got) != 2 || got[0] != "lib/local.py" || got[1] != "src/main.py" || len(skipped) != 0 {
		t.Errorf("files %v, skipped %v; want lib/local.py and src/main.py", got, skipped)
	}
}

// TestRunDedupAcrossSources checks that duplicates are found across
// sources and counted against the later source and its language.
func TestRunDedupAcrossSources(t *testing.T) {
	var long strings.Builder
	long.WriteString("package p\n\n// Route dispatches a request.\nfunc Route(method, path string, body []byte) (int, string) {\n")
	for i := range 30 {
		fmt.Fprintf(&long, "\tif method == %q && strings.HasPrefix(path, \"/v1/%d\") {\n\t\treturn handle%d(body)\n\t}\n", []string{"GET", "POST", "PUT"}[i%3], i, i)
	}
	long.WriteString("\treturn 404, \"not found\"\n}\n")
	near := strings.Replace(long.String(), "not found", "missing", 1)
	a, b := t.TempDir(), t.TempDir()
	writeFiles(t, a, map[string]string{"route.go": long.String()})
	writeFiles(t, b, map[string]string{"copy/route.go": long.String(), "near/route.go": near, "own.go": goFile("Own")})
	o := testOptions(t, a, b)
	m, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	sa, sb := m.Sources[0].Counts, m.Sources[1].Counts
	if sa.Kept != 1 || sa.DuplicateExact+sa.DuplicateNear != 0 || sb.DuplicateExact != 1 || sb.DuplicateNear != 1 || sb.Kept != 1 {
		t.Errorf("first source %+v\nsecond source %+v", sa, sb)
	}
	if g := m.Languages["go"]; g.DuplicateExact != 1 || g.DuplicateNear != 1 || g.Kept != 2 || m.Total.Kept != 2 {
		t.Errorf("go counts %+v, total kept %d", g, m.Total.Kept)
	}
	if recs := readAll(t, o.Out); len(recs) != 2 || recs[0].Path != "route.go" || recs[1].Name != "Own" {
		t.Errorf("records %v", recs)
	}
}
