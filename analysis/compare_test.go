package analysis

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// twoRuns analyzes the known dataset (A) and a later run (B) that lost
// python's n.py, gained a rust source and moved alpha to a new commit.
func twoRuns(t *testing.T) *Comparison {
	t.Helper()
	a := knownReport(t)
	records := knownRecords()[:7]
	for i := range records {
		if records[i].Repo == alpha {
			records[i].Commit = strings.Repeat("f", 40)
		}
	}
	records = append(records, knownRecords()[0])
	records[7].Language, records[7].Repo, records[7].Path, records[7].License = "rust", "github.com/e/epsilon", "lib.rs", "MIT"
	dir := filepath.Join(t.TempDir(), "later")
	writeDataset(t, dir, nil, 100, records)
	b, err := Analyze(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return Compare(a, b)
}

func TestCompare(t *testing.T) {
	c := twoRuns(t)
	byMetric := map[string]Change{}
	for _, ch := range c.Changes {
		if _, dup := byMetric[ch.Metric]; dup {
			t.Errorf("metric %s listed twice", ch.Metric)
		}
		byMetric[ch.Metric] = ch
	}
	tests := []struct {
		metric string
		kind   string
		a, b   float64
	}{
		{"total.functions", KindCount, 8, 8},
		{"total.files", KindCount, 6, 6}, // python loses n.py, rust adds lib.rs
		{"sources", KindCount, 4, 4},
		{"languages", KindCount, 2, 3},
		{"splits.train", KindCount, 6, 6},
		{"languages.python.functions", KindCount, 3, 2},
		{"languages.python.docstring_coverage", KindShare, 2.0 / 3, 1},
		{"languages.rust.functions", KindCount, 0, 1},
		{"languages.rust.lines.median", KindNumber, 0, 1},
		{"total.syntax_valid_share", KindShare, 0, 0}, // B has no manifest: no row
		{"total.complexity.mean", KindNumber, 6.125, 5.75},
		{"licenses.MIT", KindCount, 3, 4},
		{"licenses.none", KindCount, 3, 2},
	}
	for _, tt := range tests {
		ch, ok := byMetric[tt.metric]
		if tt.metric == "total.syntax_valid_share" {
			if ok {
				t.Errorf("%s compared although B has no manifest", tt.metric)
			}
			continue
		}
		if !ok || ch.Kind != tt.kind || ch.A != tt.a || ch.B != tt.b || ch.Delta != tt.b-tt.a {
			t.Errorf("%s = %+v (present %v), want %s %v → %v", tt.metric, ch, ok, tt.kind, tt.a, tt.b)
		}
	}
	if _, ok := byMetric["filters.found"]; ok {
		t.Error("filters compared although B has no manifest")
	}

	var repos []string
	for _, s := range c.Sources {
		repos = append(repos, s.Repo)
	}
	// alpha: new commit; gamma: fewer functions; delta: only in A (failed,
	// listed by A's manifest); epsilon: only in B. beta is unchanged.
	if got, want := strings.Join(repos, " "), strings.Join([]string{alpha, gamma, delta, "github.com/e/epsilon"}, " "); got != want {
		t.Errorf("changed sources %s, want %s", got, want)
	}
	if c.Sources[3].A != nil || c.Sources[3].B == nil || c.Sources[3].B.Functions != 1 {
		t.Errorf("epsilon: %+v", c.Sources[3])
	}
}

func TestWriteComparison(t *testing.T) {
	c := twoRuns(t)
	var b strings.Builder
	if err := WriteComparison(&b, c); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Log("\n" + out)
	lines := strings.Split(out, "\n")
	rows := map[string][]string{
		"languages":                           {"languages", "2", "3", "+1", "(+50.0%)"},
		"languages.python.docstring_coverage": {"languages.python.docstring_coverage", "66.7%", "100.0%", "+33.3", "points"},
		"total.complexity.mean":               {"total.complexity.mean", "6.1", "5.8", "-0.4", "(-6.1%)"},
		"github.com/e/epsilon":                {"github.com/e/epsilon", "-", "-", "1", "aaaaaaaaaaaa"},
	}
	for key, want := range rows {
		if got := fieldsOf(lines, key); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("row %s:\n got %q\nwant %q", key, got, want)
		}
	}
	if fieldsOf(lines, "total.functions") != nil {
		t.Error("an unchanged metric is listed")
	}
	if want := len(c.Changed()); !strings.Contains(out, fmt.Sprintf("(%d of %d metrics changed)", want, len(c.Changes))) {
		t.Errorf("summary does not count %d changed metrics", want)
	}
	checkAligned(t, lines, "METRIC", "licenses.none")
	checkAligned(t, lines, "SOURCE", "github.com/e/epsilon")
}

func TestCompareFilters(t *testing.T) {
	a := knownReport(t)
	m := knownManifest()
	m.Total.Functions, m.Total.Removed["too_short"], m.Total.Redactions["url"] = 16, 4, 1
	dir := filepath.Join(t.TempDir(), "refiltered")
	writeDataset(t, dir, m, 100, knownRecords())
	b, err := Analyze(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Change{}
	for _, ch := range Compare(a, b).Changes {
		got[ch.Metric] = ch
	}
	for _, want := range []Change{
		{Metric: "filters.found", Kind: KindCount, A: 15, B: 16, Delta: 1},
		{Metric: "filters.removed.too_short", Kind: KindCount, A: 3, B: 4, Delta: 1},
		{Metric: "filters.removed.syntax_error", Kind: KindCount, A: 2, B: 2},
		{Metric: "filters.redactions.url", Kind: KindCount, A: 0, B: 1, Delta: 1},
		{Metric: "filters.kept", Kind: KindCount, A: 8, B: 8},
		{Metric: "total.syntax_valid_share", Kind: KindShare, A: 0.8, B: 0.8},
		{Metric: "languages.go.syntax_valid_share", Kind: KindShare, A: 5.0 / 6, B: 5.0 / 6},
	} {
		if got[want.Metric] != want {
			t.Errorf("%s: got %+v, want %+v", want.Metric, got[want.Metric], want)
		}
	}
}
