package analysis

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func knownReport(t *testing.T) *Report {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "known")
	writeDataset(t, dir, knownManifest(), 100, knownRecords())
	r, err := Analyze(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWriteSummary(t *testing.T) {
	r := knownReport(t)
	var b strings.Builder
	if err := WriteSummary(&b, r, 2); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Log("\n" + out)
	for _, want := range []string{
		"(codeloom 0.1.0-test, 2026-11-27 01:02 UTC)",
		"8 functions, 6 files, 4 sources; splits: train 6, validation 2",
		"SOURCE (2 of 4)",
		"files seen 20, skipped 3 (binary 2, too_large 1); redactions: email 2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	rows := map[string][]string{
		"go":     {"go", "4", "5", "62.5%", "63.8/5/300", "660.8/54/2999", "219.2/20/1000", "60.0%", "8.6/3/30", "83.3%"},
		"python": {"python", "2", "3", "37.5%", "4.0/4/6", "23.0/23/35", "9.0/9/15", "66.7%", "2.0/1/4", "75.0%"},
		"all":    {"all", "6", "8", "100.0%", "41.4/4/300", "421.6/32/2999", "140.4/12/1000", "62.5%", "6.1/2/30", "80.0%"},
		"MIT":    {"MIT", "3", "37.5%"},
		alpha:    {alpha, "3", "6", "aaaaaaaaaaaa", "MIT", "ok"},
		gamma:    {gamma, "3", "5", "cccccccccccc", "-", "ok"},
		"found":  {"found", "15"},
		"after":  {"after", "filters", "10", "syntax_error", "2,", "too_short", "3"},
		"kept":   {"kept", "8", "near", "duplicates", "1"},
	}
	lines := strings.Split(out, "\n")
	for key, want := range rows {
		if got := fieldsOf(lines, key); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("row %s:\n got %q\nwant %q", key, got, want)
		}
	}
	if strings.Contains(out, beta) {
		t.Error("the third source is listed although top is 2")
	}
	checkAligned(t, lines, "LANGUAGE", "all")
}

// fieldsOf returns the fields of the first line whose first field is key.
func fieldsOf(lines []string, key string) []string {
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && f[0] == key {
			return f
		}
	}
	return nil
}

// checkAligned checks that in the table from the line starting with first to
// the one starting with last, every column starts where the header's does.
func checkAligned(t *testing.T, lines []string, first, last string) {
	t.Helper()
	var header []int
	for _, l := range lines {
		if header == nil && !strings.HasPrefix(l, first) {
			continue
		}
		starts := columnStarts(l)
		if header == nil {
			header = starts
		} else if !slices.Equal(starts, header) {
			t.Errorf("columns of %q start at %v, the header's at %v", l, starts, header)
		}
		if strings.HasPrefix(l, last) {
			return
		}
	}
	t.Errorf("no table from %q to %q", first, last)
}

// columnStarts returns the offsets where a column starts: the line's start
// and every non-blank after two or more blanks (the tabwriter's padding).
func columnStarts(line string) []int {
	starts := []int{0}
	blanks := 0
	for i, c := range line {
		if c == ' ' {
			blanks++
			continue
		}
		if blanks >= 2 {
			starts = append(starts, i)
		}
		blanks = 0
	}
	return starts
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567", 100000: "100,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
