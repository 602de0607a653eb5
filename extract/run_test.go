package extract

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/codeloom/codeloom/dataset"
)

const mitLicense = `MIT License

Copyright (c) 2024 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
`

// goFile is a Go source file whose functions pass the default filters.
func goFile(names ...string) string {
	var b strings.Builder
	b.WriteString("package demo\n")
	for i, n := range names {
		b.WriteString("\n// " + n + " does step " + string(rune('a'+i)) + ".\nfunc " + n + "(values []int) int {\n")
		b.WriteString("\ttotal := 0\n\tfor _, v := range values {\n\t\tif v > " + string(rune('0'+i%10)) + " {\n\t\t\ttotal += v * " + n + "Weight\n\t\t}\n\t}\n\treturn total\n}\n")
	}
	return b.String()
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// makeRepo creates a git repository with go-git: a first commit on master,
// a tag v1 on it, a branch dev with one more commit, and master checked
// out again. It returns the folder and the two commits.
func makeRepo(t *testing.T) (dir string, first, second plumbing.Hash) {
	t.Helper()
	dir = t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	commit := func(files map[string]string, msg string) plumbing.Hash {
		writeFiles(t, dir, files)
		for name := range files {
			if _, err := w.Add(name); err != nil {
				t.Fatal(err)
			}
		}
		h, err := w.Commit(msg, &git.CommitOptions{Author: &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(1700000000, 0)}})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	first = commit(map[string]string{"LICENSE": mitLicense, "calc/calc.go": goFile("Sum", "Count")}, "first")
	if _, err := r.CreateTag("v1", first, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("dev"), Create: true}); err != nil {
		t.Fatal(err)
	}
	second = commit(map[string]string{"calc/more.go": goFile("Scale", "Offset")}, "second")
	if err := w.Checkout(&git.CheckoutOptions{Branch: plumbing.Master}); err != nil {
		t.Fatal(err)
	}
	return dir, first, second
}

func readAll(t *testing.T, dir string) []dataset.Record {
	t.Helper()
	var out []dataset.Record
	if err := dataset.Read(context.Background(), dir, func(r *dataset.Record) error {
		out = append(out, *r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func testOptions(t *testing.T, sources ...string) Options {
	return Options{Sources: sources, Out: filepath.Join(t.TempDir(), "ds"), CacheDir: t.TempDir(),
		Filters: dataset.DefaultFilters(), Workers: 2, Tool: "codeloom test"}
}

// TestRunGitFileURL clones a repository made in the test through file://,
// at its default branch, a branch, a tag and a commit.
func TestRunGitFileURL(t *testing.T) {
	repo, first, second := makeRepo(t)
	url := "file://" + filepath.ToSlash(repo)
	cases := []struct {
		source string
		commit plumbing.Hash
		names  []string
	}{
		{url, first, []string{"Count", "Sum"}},
		{url + "@dev", second, []string{"Count", "Offset", "Scale", "Sum"}},
		{url + "@v1", first, []string{"Count", "Sum"}},
		{url + "@" + second.String()[:10], second, []string{"Count", "Offset", "Scale", "Sum"}},
	}
	for _, tc := range cases {
		t.Run(tc.source[strings.LastIndex(tc.source, "/")+1:], func(t *testing.T) {
			o := testOptions(t, tc.source)
			m, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			s := m.Sources[0]
			if s.Status != StatusOK || s.Commit != tc.commit.String() || s.License != "MIT" {
				t.Fatalf("source status %+v, want ok at %s with MIT", s, tc.commit)
			}
			recs := readAll(t, o.Out)
			var names []string
			for _, r := range recs {
				names = append(names, r.Name)
				if r.Commit != tc.commit.String() || r.License != "MIT" || r.Repo != filepath.Base(repo) || r.Language != "go" ||
					r.ID != dataset.ID(r.Code) || r.Tokens == 0 || r.URL != "" || r.Docstring == "" ||
					(r.Split != dataset.SplitTrain && r.Split != dataset.SplitValidation) {
					t.Errorf("record %+v", r)
				}
			}
			if got := strings.Join(slices.Sorted(slices.Values(names)), ","); got != strings.Join(tc.names, ",") {
				t.Errorf("functions %s, want %s", got, strings.Join(tc.names, ","))
			}
			if m.Total.Kept != len(recs) || m.Splits[dataset.SplitTrain]+m.Splits[dataset.SplitValidation] != len(recs) || m.Languages["go"].Kept != len(recs) {
				t.Errorf("manifest counts %+v, splits %v, %d records", m.Total, m.Splits, len(recs))
			}
		})
	}
}
