package analysis

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func bin(lo, hi int64, n uint64) Bin { return Bin{Lo: lo, Hi: &hi, Count: n} }
func openBin(lo int64, n uint64) Bin { return Bin{Lo: lo, Count: n} }
func intp(n int) *int                { return &n }
func floatp(x float64) *float64      { return &x }

// complexityBins lists complexity bins 1..10 with the given counts.
func complexityBins(counts ...uint64) []Bin {
	out := make([]Bin, len(counts))
	for i, n := range counts {
		out[i] = bin(int64(i+1), int64(i+1), n)
	}
	return out
}

// wantKnown is the report of knownRecords with knownManifest, worked out by
// hand from the table in knownRecords.
func wantKnown(dir string) *Report {
	goStats := LanguageStats{
		Language: "go", Files: 4, Functions: 5, Share: 0.625,
		Lines: Dist{Mean: 63.8, Median: 5, P90: 300, Min: 1, Max: 300, Histogram: []Bin{
			bin(1, 1, 1), bin(2, 3, 1), bin(4, 7, 1), bin(8, 15, 1), bin(16, 31, 0), bin(32, 63, 0), bin(64, 127, 0),
			bin(128, 255, 0), openBin(256, 1)}},
		Chars: Dist{Mean: 660.8, Median: 54, P90: 2999, Min: 10, Max: 2999, Histogram: []Bin{
			bin(8, 15, 1), bin(16, 31, 0), bin(32, 63, 2), bin(64, 127, 0), bin(128, 255, 1), bin(256, 511, 0),
			bin(512, 1023, 0), bin(1024, 2047, 0), openBin(2048, 1)}},
		Tokens: Dist{Mean: 219.2, Median: 20, P90: 1000, Min: 4, Max: 1000, Histogram: []Bin{
			bin(4, 7, 1), bin(8, 15, 1), bin(16, 31, 1), bin(32, 63, 1), bin(64, 127, 0), bin(128, 255, 0),
			bin(256, 511, 0), openBin(512, 1)}},
		Complexity: Dist{Mean: 8.6, Median: 3, P90: 30, Min: 1, Max: 30, Histogram: append(
			complexityBins(1, 1, 1, 0, 0, 0, 1, 0, 0, 0), bin(11, 15, 0), bin(16, 20, 0), bin(21, 30, 1))},
		Docstrings: 3, DocstringCoverage: 0.6,
		SyntaxErrors: intp(1), SyntaxValidShare: floatp(5.0 / 6),
	}
	pyStats := LanguageStats{
		Language: "python", Files: 2, Functions: 3, Share: 0.375,
		Lines:  Dist{Mean: 4, Median: 4, P90: 6, Min: 2, Max: 6, Histogram: []Bin{bin(2, 3, 1), openBin(4, 2)}},
		Chars:  Dist{Mean: 23, Median: 23, P90: 35, Min: 11, Max: 35, Histogram: []Bin{bin(8, 15, 1), bin(16, 31, 1), openBin(32, 1)}},
		Tokens: Dist{Mean: 9, Median: 9, P90: 15, Min: 3, Max: 15, Histogram: []Bin{bin(2, 3, 1), bin(4, 7, 0), openBin(8, 2)}},
		Complexity: Dist{Mean: 2, Median: 1, P90: 4, Min: 1, Max: 4,
			Histogram: complexityBins(2, 0, 0, 1)},
		Docstrings: 2, DocstringCoverage: 2.0 / 3,
		SyntaxErrors: intp(1), SyntaxValidShare: floatp(0.75),
	}
	total := LanguageStats{
		Language: "all", Files: 6, Functions: 8, Share: 1,
		Lines: Dist{Mean: 41.375, Median: 4, P90: 300, Min: 1, Max: 300, Histogram: []Bin{
			bin(1, 1, 1), bin(2, 3, 2), bin(4, 7, 3), bin(8, 15, 1), bin(16, 31, 0), bin(32, 63, 0), bin(64, 127, 0),
			bin(128, 255, 0), openBin(256, 1)}},
		Chars: Dist{Mean: 421.625, Median: 32, P90: 2999, Min: 10, Max: 2999, Histogram: []Bin{
			bin(8, 15, 2), bin(16, 31, 1), bin(32, 63, 3), bin(64, 127, 0), bin(128, 255, 1), bin(256, 511, 0),
			bin(512, 1023, 0), bin(1024, 2047, 0), openBin(2048, 1)}},
		Tokens: Dist{Mean: 140.375, Median: 12, P90: 1000, Min: 3, Max: 1000, Histogram: []Bin{
			bin(2, 3, 1), bin(4, 7, 1), bin(8, 15, 3), bin(16, 31, 1), bin(32, 63, 1), bin(64, 127, 0),
			bin(128, 255, 0), bin(256, 511, 0), openBin(512, 1)}},
		Complexity: Dist{Mean: 6.125, Median: 2, P90: 30, Min: 1, Max: 30, Histogram: append(
			complexityBins(3, 1, 1, 1, 0, 0, 1, 0, 0, 0), bin(11, 15, 0), bin(16, 20, 0), bin(21, 30, 1))},
		Docstrings: 5, DocstringCoverage: 0.625,
		SyntaxErrors: intp(2), SyntaxValidShare: floatp(0.8),
	}
	return &Report{
		Schema: SchemaVersion, Dataset: dir,
		Tool: "codeloom 0.1.0-test", CreatedAt: time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC),
		Total:     total,
		Languages: []LanguageStats{goStats, pyStats},
		Splits:    map[string]int{"train": 6, "validation": 2},
		Licenses: []LicenseStats{
			{License: "MIT", Functions: 3, Share: 0.375},
			{License: "none", Functions: 3, Share: 0.375},
			{License: "Apache-2.0", Functions: 2, Share: 0.25},
		},
		Sources: []SourceStats{
			{Repo: alpha, Source: "https://" + alpha, Commit: strings.Repeat("a", 40), License: "MIT", Status: "ok", Functions: 3, Found: intp(6)},
			{Repo: gamma, Source: "https://" + gamma, Commit: strings.Repeat("c", 40), Status: "ok", Functions: 3, Found: intp(5)},
			{Repo: beta, Source: "https://" + beta, Commit: strings.Repeat("b", 40), License: "Apache-2.0", Status: "ok", Functions: 2, Found: intp(4)},
			{Repo: delta, Source: "https://" + delta, Status: "failed", Error: "clone: repository not found", Found: intp(0)},
		},
		Filters: &Filters{
			FilesSeen: 20, FilesSkipped: 3, FilesSkippedBy: map[string]int{"binary": 2, "too_large": 1}, Found: 15,
			Removed:        map[string]int{"syntax_error": 2, "too_short": 3},
			DuplicateExact: 1, DuplicateNear: 1, Kept: 8,
			Redactions: map[string]int{"email": 2},
			Funnel: []Stage{
				{"found", 15}, {"after filters", 10}, {"after exact dedup", 9}, {"kept", 8},
			},
			Settings: map[string]any{"min_lines": 1.0},
		},
		Warnings: []string{},
	}
}

func TestAnalyzeKnownDataset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "known")
	// Three records per shard: the statistics must not depend on shard borders.
	writeDataset(t, dir, knownManifest(), 3, knownRecords())
	got, err := Analyze(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := wantKnown(dir)
	checkReport(t, got, want)
}

// checkReport compares the JSON forms, which hold every statistic, and
// names the first line that differs.
func checkReport(t *testing.T, got, want any) {
	t.Helper()
	g, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			from := max(0, i-6)
			t.Fatalf("reports differ at JSON line %d:\n%s\n got: %s\nwant: %s", i+1,
				strings.Join(wl[from:i], "\n"), gl[i], wl[i])
		}
	}
	if len(gl) != len(wl) {
		t.Fatalf("got %d JSON lines, want %d", len(gl), len(wl))
	}
}
