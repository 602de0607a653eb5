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
	var l changeList
	l.count("sources", len(a.Sources), len(b.Sources))
	l.count("languages", len(a.Languages), len(b.Languages))
	for _, name := range unionKeys(a.Splits, b.Splits) {
		l.count("splits."+name, a.Splits[name], b.Splits[name])
	}
	l.language("total.", &a.Total, &b.Total)
	langsA, langsB := byLanguage(a), byLanguage(b)
	for _, name := range unionKeys(langsA, langsB) {
		l.language("languages."+name+".", orZero(langsA[name], name), orZero(langsB[name], name))
	}
	licA, licB := licenseCounts(a), licenseCounts(b)
	for _, name := range unionKeys(licA, licB) {
		l.count("licenses."+name, licA[name], licB[name])
	}
	if a.Filters != nil && b.Filters != nil {
		l.filters(a.Filters, b.Filters)
	}
	return &Comparison{A: a, B: b, Changes: l, Sources: sourceChanges(a.Sources, b.Sources)}
}

// changeList collects the changes of Compare in order.
type changeList []Change

func (l *changeList) add(metric, kind string, a, b float64) {
	*l = append(*l, Change{Metric: metric, Kind: kind, A: a, B: b, Delta: b - a})
}

func (l *changeList) count(metric string, a, b int) { l.add(metric, KindCount, float64(a), float64(b)) }

func (l *changeList) language(prefix string, a, b *LanguageStats) {
	l.count(prefix+"functions", a.Functions, b.Functions)
	l.count(prefix+"files", a.Files, b.Files)
	l.add(prefix+"share", KindShare, a.Share, b.Share)
	l.add(prefix+"docstring_coverage", KindShare, a.DocstringCoverage, b.DocstringCoverage)
	if a.SyntaxValidShare != nil && b.SyntaxValidShare != nil {
		l.add(prefix+"syntax_valid_share", KindShare, *a.SyntaxValidShare, *b.SyntaxValidShare)
	}
	l.dist(prefix+"lines.", a.Lines, b.Lines)
	l.dist(prefix+"chars.", a.Chars, b.Chars)
	l.dist(prefix+"tokens.", a.Tokens, b.Tokens)
	l.dist(prefix+"complexity.", a.Complexity, b.Complexity)
}

func (l *changeList) dist(prefix string, a, b Dist) {
	l.add(prefix+"mean", KindNumber, a.Mean, b.Mean)
	l.add(prefix+"median", KindNumber, float64(a.Median), float64(b.Median))
	l.add(prefix+"p90", KindNumber, float64(a.P90), float64(b.P90))
}

func (l *changeList) filters(a, b *Filters) {
	l.count("filters.found", a.Found, b.Found)
	for _, name := range unionKeys(a.Removed, b.Removed) {
		l.count("filters.removed."+name, a.Removed[name], b.Removed[name])
	}
	l.count("filters.duplicate_exact", a.DuplicateExact, b.DuplicateExact)
	l.count("filters.duplicate_near", a.DuplicateNear, b.DuplicateNear)
	for _, name := range unionKeys(a.Redactions, b.Redactions) {
		l.count("filters.redactions."+name, a.Redactions[name], b.Redactions[name])
	}
	l.count("filters.kept", a.Kept, b.Kept)
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
