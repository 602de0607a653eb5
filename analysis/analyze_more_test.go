package analysis

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/dataset"
)

func TestAnalyzeWithoutManifest(t *testing.T) {
	dir := t.TempDir()
	writeDataset(t, dir, nil, 100, knownRecords())
	got, err := Analyze(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := wantKnown(dir)
	// What only the manifest knows is absent; sources come from the records.
	want.Tool, want.CreatedAt, want.Filters = "", got.CreatedAt, nil
	for _, l := range append([]*LanguageStats{&want.Total}, &want.Languages[0], &want.Languages[1]) {
		l.SyntaxErrors, l.SyntaxValidShare = nil, nil
	}
	want.Sources = []SourceStats{
		{Repo: alpha, Commit: strings.Repeat("a", 40), License: "MIT", Functions: 3},
		{Repo: gamma, Commit: strings.Repeat("c", 40), Functions: 3},
		{Repo: beta, Commit: strings.Repeat("b", 40), License: "Apache-2.0", Functions: 2},
	}
	checkReport(t, got, want)
}

func TestAnalyzeWarnings(t *testing.T) {
	tests := []struct {
		name   string
		change func(*dataset.Manifest)
		want   []string
	}{
		{"consistent", func(*dataset.Manifest) {}, []string{}},
		{"kept differs from shards", func(m *dataset.Manifest) { m.Total.Kept = 9; m.Total.DuplicateNear = 0 },
			[]string{"the manifest says 9 functions were kept, the shards hold 8"}},
		{"funnel does not add up", func(m *dataset.Manifest) { m.Total.Functions = 16 },
			[]string{"the manifest's funnel does not add up: 16 found less all removals leaves 9, but 8 are kept"}},
		{"split differs", func(m *dataset.Manifest) { m.Splits["validation"] = 3 },
			[]string{`the manifest says split "validation" has 3 records, the shards hold 2`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			m := knownManifest()
			tt.change(m)
			writeDataset(t, dir, m, 100, knownRecords())
			r, err := Analyze(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Warnings, tt.want) {
				t.Errorf("warnings %q, want %q", r.Warnings, tt.want)
			}
		})
	}
}

func TestAnalyzeErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string) error
		want  string
	}{
		{"missing folder", func(string) error { return nil }, "no such file"},
		{"no shards", func(dir string) error { return os.Mkdir(dir, 0o755) }, "no JSONL shards"},
		{"broken line", func(dir string) error {
			if err := os.Mkdir(dir, 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "data-00000.jsonl"), []byte("{\"repo\":\"x\"}\n{oops\n"), 0o644)
		}, "data-00000.jsonl:2"},
		{"broken manifest", func(dir string) error {
			writeDataset(t, dir, nil, 10, knownRecords())
			return os.WriteFile(filepath.Join(dir, dataset.ManifestFile), []byte("{"), 0o644)
		}, "parse manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ds")
			if err := tt.setup(dir); err != nil {
				t.Fatal(err)
			}
			_, err := Analyze(context.Background(), dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestAnalyzeCancelled(t *testing.T) {
	dir := t.TempDir()
	records := make([]dataset.Record, 3000) // cancellation is checked every 1024 lines
	for i := range records {
		records[i] = knownRecords()[i%8]
	}
	writeDataset(t, dir, nil, 5000, records)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Analyze(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want cancellation", err)
	}
}

// TestAnalyzeEmptyDataset covers what extract writes when every function was
// filtered out: one empty shard and a manifest.
func TestAnalyzeEmptyDataset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "empty")
	writeDataset(t, dir, &dataset.Manifest{Total: dataset.Counts{Functions: 2, Removed: map[string]int{"too_short": 2}}}, 10, nil)
	r, err := Analyze(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total.Functions != 0 || r.Filters.Found != 2 || len(r.Warnings) != 0 {
		t.Errorf("functions %d, found %d, warnings %q", r.Total.Functions, r.Filters.Found, r.Warnings)
	}
	var summary strings.Builder
	if err := WriteSummary(&summary, r, 10); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary.String(), "0 functions, 0 files, 0 sources") {
		t.Errorf("summary:\n%s", summary.String())
	}
	out := t.TempDir()
	if err := WriteJSON(filepath.Join(out, "analysis.json"), r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "analysis.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"languages": []`, `"licenses": []`, `"sources": []`, `"histogram": []`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("analysis.json lacks %s", key)
		}
	}
	if err := WriteHTML(filepath.Join(out, "report.html"), r, 10); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	// Every chart but the funnel has nothing to show.
	if n := strings.Count(string(page), `<p class="empty">no data</p>`); n != len(chartNames)-1 {
		t.Errorf("%d charts say no data, want %d", n, len(chartNames)-1)
	}
}
