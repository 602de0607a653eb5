package analysis

import (
	"cmp"
	"maps"
	"slices"
)

// Comparison sets two reports side by side: what changed between two
// extraction runs. It is written to analysis.json when two datasets are
// analyzed.
type Comparison struct {
	A       *Report        `json:"a"`
	B       *Report        `json:"b"`
	Changes []Change       `json:"changes"`
	Sources []SourceChange `json:"sources"` // only sources that differ
}

// Change is one number in both datasets. Kind says how to read it: "count",
// "share" (0..1) or "number" (a mean or quantile).
type Change struct {
	Metric string  `json:"metric"` // e.g. "functions", "languages.go.share"
	Kind   string  `json:"kind"`
	A      float64 `json:"a"`
	B      float64 `json:"b"`
	Delta  float64 `json:"delta"` // B - A
}

// SourceChange is a source repository added, removed, or with another commit
// or function count; A or B is nil when the source is in one dataset only.
type SourceChange struct {
	Repo string       `json:"repo"`
	A    *SourceStats `json:"a"`
	B    *SourceStats `json:"b"`
}

// Kinds of Change values.
const (
	KindCount  = "count"
	KindShare  = "share"
	KindNumber = "number"
)

// Compare returns the changes from a to b.
func Compare(a, b *Report) *Comparison {
	c := &Comparison{A: a, B: b}
	add := func(metric, kind string, va, vb float64) {
		c.Changes = append(c.Changes, Change{Metric: metric, Kind: kind, A: va, B: vb, Delta: vb - va})
	}
	addCount := func(metric string, va, vb int) { add(metric, KindCount, float64(va), float64(vb)) }

	addCount("sources", len(a.Sources), len(b.Sources))
	addCount("languages", len(a.Languages), len(b.Languages))
	for _, name := range unionKeys(a.Splits, b.Splits) {
		addCount("splits."+name, a.Splits[name], b.Splits[name])
	}
	compareLanguage := func(prefix string, la, lb *LanguageStats) {
		addCount(prefix+"functions", la.Functions, lb.Functions)
		addCount(prefix+"files", la.Files, lb.Files)
		add(prefix+"share", KindShare, la.Share, lb.Share)
		add(prefix+"docstring_coverage", KindShare, la.DocstringCoverage, lb.DocstringCoverage)
		if la.SyntaxValidShare != nil && lb.SyntaxValidShare != nil {
			add(prefix+"syntax_valid_share", KindShare, *la.SyntaxValidShare, *lb.SyntaxValidShare)
		}
		for _, d := range []struct {
			name   string
			da, db Dist
		}{{"lines", la.Lines, lb.Lines}, {"chars", la.Chars, lb.Chars}, {"tokens", la.Tokens, lb.Tokens}, {"complexity", la.Complexity, lb.Complexity}} {
			add(prefix+d.name+".mean", KindNumber, d.da.Mean, d.db.Mean)
			add(prefix+d.name+".median", KindNumber, float64(d.da.Median), float64(d.db.Median))
			add(prefix+d.name+".p90", KindNumber, float64(d.da.P90), float64(d.db.P90))
		}
	}
	compareLanguage("total.", &a.Total, &b.Total)
	langsA, langsB := byLanguage(a), byLanguage(b)
	for _, name := range unionKeys(langsA, langsB) {
		compareLanguage("languages."+name+".", orZero(langsA[name], name), orZero(langsB[name], name))
	}
	licA, licB := licenseCounts(a), licenseCounts(b)
	for _, name := range unionKeys(licA, licB) {
		addCount("licenses."+name, licA[name], licB[name])
	}
	if a.Filters != nil && b.Filters != nil {
		fa, fb := a.Filters, b.Filters
		addCount("filters.found", fa.Found, fb.Found)
		for _, name := range unionKeys(fa.Removed, fb.Removed) {
			addCount("filters.removed."+name, fa.Removed[name], fb.Removed[name])
		}
		addCount("filters.duplicate_exact", fa.DuplicateExact, fb.DuplicateExact)
		addCount("filters.duplicate_near", fa.DuplicateNear, fb.DuplicateNear)
		for _, name := range unionKeys(fa.Redactions, fb.Redactions) {
			addCount("filters.redactions."+name, fa.Redactions[name], fb.Redactions[name])
		}
		addCount("filters.kept", fa.Kept, fb.Kept)
	}
	c.Sources = sourceChanges(a.Sources, b.Sources)
	return c
}

// Changed returns the changes whose values differ.
func (c *Comparison) Changed() []Change {
	var out []Change
	for _, ch := range c.Changes {
		if ch.Delta != 0 {
			out = append(out, ch)
		}
	}
	return out
}

func sourceChanges(a, b []SourceStats) []SourceChange {
	ia, ib := map[string]*SourceStats{}, map[string]*SourceStats{}
	for i := range a {
		ia[a[i].Repo] = &a[i]
	}
	for i := range b {
		ib[b[i].Repo] = &b[i]
	}
	out := []SourceChange{}
	for _, repo := range unionKeys(ia, ib) {
		sa, sb := ia[repo], ib[repo]
		if sa != nil && sb != nil && sa.Commit == sb.Commit && sa.Functions == sb.Functions {
			continue
		}
		out = append(out, SourceChange{Repo: repo, A: sa, B: sb})
	}
	return out
}

func byLanguage(r *Report) map[string]*LanguageStats {
	m := make(map[string]*LanguageStats, len(r.Languages))
	for i := range r.Languages {
		m[r.Languages[i].Language] = &r.Languages[i]
	}
	return m
}

// orZero stands in an empty language for one that a dataset lacks.
func orZero(l *LanguageStats, name string) *LanguageStats {
	return cmp.Or(l, &LanguageStats{Language: name})
}

func licenseCounts(r *Report) map[string]int {
	m := make(map[string]int, len(r.Licenses))
	for _, l := range r.Licenses {
		m[l.License] = l.Functions
	}
	return m
}

// unionKeys returns the keys of both maps, sorted.
func unionKeys[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
