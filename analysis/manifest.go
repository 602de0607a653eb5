package analysis

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/codeloom/codeloom/dataset"
)

// applyManifest adds what only the manifest knows: how extraction went per
// source, the filter funnel and the syntax-valid share, and flags counts that
// disagree with the records.
func applyManifest(r *Report, m *dataset.Manifest) {
	r.Tool = m.Tool
	r.CreatedAt = m.CreatedAt
	r.Total.SyntaxErrors, r.Total.SyntaxValidShare = syntaxOf(&m.Total)
	for i := range r.Languages {
		if c := m.Languages[r.Languages[i].Language]; c != nil {
			r.Languages[i].SyntaxErrors, r.Languages[i].SyntaxValidShare = syntaxOf(c)
		}
	}
	r.Sources = mergeSources(r.Sources, m.Sources)
	r.Filters = filtersOf(m)
	r.Warnings = append(r.Warnings, disagreements(r, m)...)
}

// syntaxOf defines the syntax-valid share as kept / (kept + syntax errors):
// among functions that were either kept or dropped for failing to parse, the
// share that parsed. Other removals say nothing about syntax, so they are
// left out of both counts.
func syntaxOf(c *dataset.Counts) (*int, *float64) {
	errs := c.Removed[dataset.FilterSyntaxError]
	share := ratio(c.Kept, c.Kept+errs)
	return &errs, &share
}

// mergeSources joins the sources seen in records with the manifest's list,
// which also holds failed and skipped sources that left no records. The
// manifest's commit and licence win: records copy them from it.
func mergeSources(seen []SourceStats, listed []dataset.SourceStatus) []SourceStats {
	byRepo := make(map[string]int, len(seen))
	for i, s := range seen {
		byRepo[s.Repo] = i
	}
	for _, l := range listed {
		i, ok := byRepo[l.Repo]
		if !ok {
			i = len(seen)
			byRepo[l.Repo] = i
			seen = append(seen, SourceStats{Repo: l.Repo})
		}
		s := &seen[i]
		found := l.Counts.Functions
		s.Source, s.Status, s.Error, s.Found = l.Source, l.Status, l.Error, &found
		s.Commit = cmp.Or(l.Commit, s.Commit)
		s.License = cmp.Or(l.License, s.License)
	}
	sortSources(seen)
	return seen
}

func filtersOf(m *dataset.Manifest) *Filters {
	t := m.Total
	f := &Filters{
		FilesSeen:      t.FilesSeen,
		FilesSkipped:   t.FilesSkipped,
		FilesSkippedBy: orEmpty(t.FilesSkippedBy),
		Found:          t.Functions,
		Removed:        orEmpty(t.Removed),
		DuplicateExact: t.DuplicateExact,
		DuplicateNear:  t.DuplicateNear,
		Kept:           t.Kept,
		Redactions:     orEmpty(t.Redactions),
		Settings:       m.Settings,
	}
	afterFilters := t.Functions
	for _, n := range t.Removed {
		afterFilters -= n
	}
	f.Funnel = []Stage{
		{"found", t.Functions},
		{"after filters", afterFilters},
		{"after exact dedup", afterFilters - t.DuplicateExact},
		{"kept", t.Kept},
	}
	return f
}

func orEmpty(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// disagreements lists counts in which the manifest and the records (or the
// manifest and itself) differ: a sign of a dataset edited after extraction or
// an extraction bug.
func disagreements(r *Report, m *dataset.Manifest) []string {
	var out []string
	if m.Total.Kept != r.Total.Functions {
		out = append(out, fmt.Sprintf("the manifest says %d functions were kept, the shards hold %d", m.Total.Kept, r.Total.Functions))
	}
	if f := r.Filters; f.Funnel[2].Functions-f.DuplicateNear != f.Kept {
		out = append(out, fmt.Sprintf("the manifest's funnel does not add up: %d found less all removals leaves %d, but %d are kept",
			f.Found, f.Funnel[2].Functions-f.DuplicateNear, f.Kept))
	}
	for _, name := range slices.Sorted(maps.Keys(m.Splits)) {
		if m.Splits[name] != r.Splits[name] {
			out = append(out, fmt.Sprintf("the manifest says split %q has %d records, the shards hold %d", name, m.Splits[name], r.Splits[name]))
		}
	}
	return out
}
