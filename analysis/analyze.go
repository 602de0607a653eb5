package analysis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/codeloom/codeloom/dataset"
)

// Analyze reads the dataset in dir once, record by record, and returns its
// report. Memory stays bounded whatever the dataset's size: per language a
// few histograms and a distinct-file counter, plus one entry per source
// repository, licence and split name. A dataset without manifest.json is
// analyzed from its shards alone (no filters, no syntax share).
func Analyze(ctx context.Context, dir string) (*Report, error) {
	m, err := dataset.ReadManifest(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	acc := accumulator{
		langs:    map[string]*langAcc{},
		sources:  map[string]*sourceAcc{},
		licenses: map[string]int{},
		splits:   map[string]int{},
	}
	if err := dataset.Read(ctx, dir, acc.add); err != nil {
		return nil, fmt.Errorf("analyze dataset %s: %w", dir, err)
	}
	r := acc.report()
	r.Dataset = dir
	if m != nil {
		applyManifest(r, m)
	}
	return r, nil
}

type accumulator struct {
	langs    map[string]*langAcc
	sources  map[string]*sourceAcc
	licenses map[string]int
	splits   map[string]int
}

type langAcc struct {
	files                            distinct
	functions, docstrings            int
	lines, chars, tokens, complexity Histogram
}

type sourceAcc struct {
	functions       int
	commit, license string
}

// Names used for records that leave a field empty.
const (
	unknownLanguage = "unknown"
	noLicense       = "none"
	noSplit         = "unassigned"
)

func (a *accumulator) add(r *dataset.Record) error {
	lang := cmp.Or(r.Language, unknownLanguage)
	la := a.langs[lang]
	if la == nil {
		la = &langAcc{}
		a.langs[lang] = la
	}
	la.files.add(r.Repo, r.Path)
	la.functions++
	if strings.TrimSpace(r.Docstring) != "" {
		la.docstrings++
	}
	la.lines.Add(int64(lineCount(r.Code)))
	la.chars.Add(int64(utf8.RuneCountInString(r.Code)))
	la.tokens.Add(int64(r.Tokens))
	la.complexity.Add(int64(r.Complexity))

	s := a.sources[r.Repo]
	if s == nil {
		s = &sourceAcc{commit: r.Commit, license: r.License}
		a.sources[r.Repo] = s
	}
	s.functions++
	a.licenses[cmp.Or(r.License, noLicense)]++
	a.splits[cmp.Or(r.Split, noSplit)]++
	return nil
}

// lineCount counts the lines of a code text; a final newline does not start
// another line.
func lineCount(code string) int {
	if code == "" {
		return 0
	}
	n := strings.Count(code, "\n")
	if !strings.HasSuffix(code, "\n") {
		n++
	}
	return n
}

func (a *accumulator) report() *Report {
	// Empty lists, not nil ones, so that JSON has [] rather than null.
	r := &Report{Schema: SchemaVersion, Splits: a.splits, Languages: []LanguageStats{},
		Licenses: []LicenseStats{}, Sources: []SourceStats{}, Warnings: []string{}}
	var all langAcc
	for _, la := range a.langs {
		all.functions += la.functions
		all.docstrings += la.docstrings
		all.lines.Merge(&la.lines)
		all.chars.Merge(&la.chars)
		all.tokens.Merge(&la.tokens)
		all.complexity.Merge(&la.complexity)
	}
	r.Total = all.stats("all", all.functions)
	for name, la := range a.langs {
		ls := la.stats(name, all.functions)
		r.Languages = append(r.Languages, ls)
		// Each file has one language, so the total is the sum.
		r.Total.Files += ls.Files
		r.Total.FilesEstimated = r.Total.FilesEstimated || ls.FilesEstimated
	}
	slices.SortFunc(r.Languages, func(x, y LanguageStats) int {
		return cmp.Or(cmp.Compare(y.Functions, x.Functions), cmp.Compare(x.Language, y.Language))
	})
	for _, name := range slices.Sorted(maps.Keys(a.licenses)) {
		n := a.licenses[name]
		r.Licenses = append(r.Licenses, LicenseStats{License: name, Functions: n, Share: ratio(n, all.functions)})
	}
	slices.SortStableFunc(r.Licenses, func(x, y LicenseStats) int { return cmp.Compare(y.Functions, x.Functions) })
	for repo, s := range a.sources {
		r.Sources = append(r.Sources, SourceStats{Repo: repo, Commit: s.commit, License: s.license, Functions: s.functions})
	}
	sortSources(r.Sources)
	return r
}

func (la *langAcc) stats(name string, allFunctions int) LanguageStats {
	files, estimated := la.files.count()
	return LanguageStats{
		Language:          name,
		Files:             files,
		FilesEstimated:    estimated,
		Functions:         la.functions,
		Share:             ratio(la.functions, allFunctions),
		Lines:             distOf(&la.lines, log2Edges(la.lines.Max())),
		Chars:             distOf(&la.chars, log2Edges(la.chars.Max())),
		Tokens:            distOf(&la.tokens, log2Edges(la.tokens.Max())),
		Complexity:        distOf(&la.complexity, complexityEdges()),
		Docstrings:        la.docstrings,
		DocstringCoverage: ratio(la.docstrings, la.functions),
	}
}

// complexityEdges bins cyclomatic complexity: one bin per value up to 10,
// where most functions are, then widening ranges.
func complexityEdges() []int64 {
	return []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 21, 31, 51, 101}
}

func distOf(h *Histogram, edges []int64) Dist {
	return Dist{
		Mean:      h.Mean(),
		Median:    h.Quantile(0.5),
		P90:       h.Quantile(0.9),
		Min:       h.Min(),
		Max:       h.Max(),
		Histogram: h.Bins(edges),
	}
}

func sortSources(s []SourceStats) {
	slices.SortFunc(s, func(x, y SourceStats) int {
		return cmp.Or(cmp.Compare(y.Functions, x.Functions), cmp.Compare(x.Repo, y.Repo))
	})
}

// ratio is n/d, 0 when d is 0.
func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
