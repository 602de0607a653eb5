package analysis

import (
	"cmp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/dataset"
)

// writeDataset writes records with the dataset package's writer, in shards
// of perShard records, and the manifest; with m nil the manifest is removed
// afterwards, as in a dataset that lost it.
func writeDataset(tb testing.TB, dir string, m *dataset.Manifest, perShard int, records []dataset.Record) {
	tb.Helper()
	w, err := dataset.Create(dir, dataset.WriterOptions{ShardRecords: perShard})
	if err != nil {
		tb.Fatal(err)
	}
	for i := range records {
		if err := w.Write(&records[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Commit(cmp.Or(m, &dataset.Manifest{})); err != nil {
		tb.Fatal(err)
	}
	if m == nil {
		if err := os.Remove(filepath.Join(dir, dataset.ManifestFile)); err != nil {
			tb.Fatal(err)
		}
	}
}

// code returns a function text of n lines of w characters each, so its
// length is known: n lines and n*w + n-1 characters.
func code(n, w int) string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = strings.Repeat("x", w)
	}
	return strings.Join(lines, "\n")
}

// Repositories of the known dataset.
const (
	alpha = "github.com/a/alpha"
	beta  = "github.com/b/beta"
	gamma = "github.com/c/gamma"
	delta = "github.com/d/delta" // failed to clone: listed, no records
)

// knownRecords is a dataset whose every statistic was worked out by hand in
// TestAnalyzeKnownDataset.
func knownRecords() []dataset.Record {
	rec := func(lang, repo, path string, lines, width, tokens, cplx int, doc, split, license string) dataset.Record {
		return dataset.Record{
			Repo: repo, Commit: strings.Repeat(repo[11:12], 40), Path: path, License: license, Language: lang,
			Name: "f", Kind: "function", Docstring: doc, Code: code(lines, width),
			StartLine: 1, EndLine: lines, Complexity: cplx, Tokens: tokens, Split: split,
		}
	}
	return []dataset.Record{
		rec("go", alpha, "a.go", 1, 10, 4, 1, "does a", "train", "MIT"),
		rec("go", alpha, "a.go", 3, 10, 12, 2, "", "train", "MIT"),
		rec("go", alpha, "b.go", 5, 10, 20, 3, "does b", "train", "MIT"),
		rec("go", beta, "a.go", 10, 20, 60, 7, " \n\t", "validation", "Apache-2.0"),
		rec("go", beta, "c.go", 300, 9, 1000, 30, "does c", "train", "Apache-2.0"),
		rec("python", gamma, "m.py", 2, 5, 3, 1, "Does m.", "train", ""),
		rec("python", gamma, "m.py", 4, 5, 9, 1, "Does n.", "validation", ""),
		rec("python", gamma, "n.py", 6, 5, 15, 4, "", "train", ""),
	}
}

// knownManifest goes with knownRecords: 15 functions found, 5 removed by
// filters (2 of them syntax errors), 2 duplicates, 8 kept.
func knownManifest() *dataset.Manifest {
	return &dataset.Manifest{
		Tool:      "codeloom 0.1.0-test",
		CreatedAt: time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC),
		Settings:  map[string]any{"min_lines": 1.0},
		Sources: []dataset.SourceStatus{
			{Source: "https://" + alpha, Repo: alpha, Commit: strings.Repeat("a", 40), License: "MIT", Status: "ok", Counts: dataset.Counts{Functions: 6}},
			{Source: "https://" + beta, Repo: beta, Commit: strings.Repeat("b", 40), License: "Apache-2.0", Status: "ok", Counts: dataset.Counts{Functions: 4}},
			{Source: "https://" + gamma, Repo: gamma, Commit: strings.Repeat("c", 40), Status: "ok", Counts: dataset.Counts{Functions: 5}},
			{Source: "https://" + delta, Repo: delta, Status: "failed", Error: "clone: repository not found"},
		},
		Languages: map[string]*dataset.Counts{
			"go":     {Functions: 9, Removed: map[string]int{"syntax_error": 1, "too_short": 2}, DuplicateExact: 1, Kept: 5},
			"python": {Functions: 6, Removed: map[string]int{"syntax_error": 1, "too_short": 1}, DuplicateNear: 1, Kept: 3},
		},
		Total: dataset.Counts{
			FilesSeen: 20, FilesSkipped: 3, FilesSkippedBy: map[string]int{"binary": 2, "too_large": 1}, Functions: 15,
			Removed:        map[string]int{"syntax_error": 2, "too_short": 3},
			DuplicateExact: 1, DuplicateNear: 1, Kept: 8,
			Redactions: map[string]int{"email": 2},
		},
		Splits: map[string]int{"train": 6, "validation": 2},
	}
}
