package analysis

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteSummary writes the report as aligned text tables for a terminal,
// listing the top sources with the most functions (all when top <= 0).
func WriteSummary(w io.Writer, r *Report, top int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "dataset %s", r.Dataset)
	if r.Tool != "" {
		fmt.Fprintf(tw, " (%s, %s)", r.Tool, r.CreatedAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintf(tw, "\n%s functions, %s files, %d sources; splits: %s\n",
		thousands(r.Total.Functions), filesText(r.Total), len(r.Sources), countsText(r.Splits))
	writeLanguages(tw, append(slices.Clone(r.Languages), r.Total))
	writeLicenses(tw, r.Licenses)
	writeSources(tw, r.Sources, top)
	if r.Filters != nil {
		writeFunnel(tw, r.Filters)
	}
	for _, warning := range r.Warnings {
		fmt.Fprintf(tw, "warning: %s\n", warning)
	}
	return tw.Flush()
}

func writeLanguages(w io.Writer, langs []LanguageStats) {
	fmt.Fprint(w, "\nLANGUAGE\tFILES\tFUNCTIONS\tSHARE\tLINES mean/med/p90\tCHARS mean/med/p90\tTOKENS mean/med/p90\tDOCSTRINGS\tCOMPLEXITY mean/med/p90\tSYNTAX OK\n")
	for _, l := range langs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Language, filesText(l), thousands(l.Functions), percent(l.Share),
			distText(l.Lines), distText(l.Chars), distText(l.Tokens), percent(l.DocstringCoverage), distText(l.Complexity),
			optPercent(l.SyntaxValidShare))
	}
}

func writeLicenses(w io.Writer, licenses []LicenseStats) {
	fmt.Fprint(w, "\nLICENSE\tFUNCTIONS\tSHARE\n")
	for _, l := range licenses {
		fmt.Fprintf(w, "%s\t%s\t%s\n", l.License, thousands(l.Functions), percent(l.Share))
	}
}

func writeSources(w io.Writer, sources []SourceStats, top int) {
	shown := topSources(sources, top)
	fmt.Fprintf(w, "\nSOURCE (%d of %d)\tFUNCTIONS\tFOUND\tCOMMIT\tLICENSE\tSTATUS\n", len(shown), len(sources))
	for _, s := range shown {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Repo, thousands(s.Functions), optThousands(s.Found), shortCommit(s.Commit),
			orDash(s.License), orDash(strings.TrimSpace(s.Status+" "+s.Error)))
	}
}

// topSources returns the first top sources (they are sorted by functions),
// or all when top <= 0.
func topSources(sources []SourceStats, top int) []SourceStats {
	if top > 0 && len(sources) > top {
		return sources[:top]
	}
	return sources
}

func writeFunnel(w io.Writer, f *Filters) {
	// What removed the functions between a stage and the one before it.
	removedBy := []string{"", countsText(f.Removed),
		"exact duplicates " + thousands(f.DuplicateExact), "near duplicates " + thousands(f.DuplicateNear)}
	fmt.Fprint(w, "\nFUNNEL\tFUNCTIONS\tREMOVED BY\n")
	for i, s := range f.Funnel {
		fmt.Fprintf(w, "%s\t%s\t%s\n", s.Stage, thousands(s.Functions), removedBy[i])
	}
	fmt.Fprintf(w, "\n%s; redactions: %s\n", filesSeenText(f), countsText(f.Redactions))
}

// filesSeenText is "files seen 20, skipped 3 (binary 2, too_large 1)"; the
// reasons are left out when the manifest has none.
func filesSeenText(f *Filters) string {
	s := fmt.Sprintf("files seen %s, skipped %s", thousands(f.FilesSeen), thousands(f.FilesSkipped))
	if len(f.FilesSkippedBy) > 0 {
		s += " (" + countsText(f.FilesSkippedBy) + ")"
	}
	return s
}

// WriteComparison writes the metrics that differ between two datasets, and
// the sources added, removed or changed.
func WriteComparison(w io.Writer, c *Comparison) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	p("A  %s\nB  %s\n\n", c.A.Dataset, c.B.Dataset)
	p("METRIC\tA\tB\tCHANGE\n")
	changed := c.Changed()
	for _, ch := range changed {
		p("%s\t%s\t%s\t%s\n", ch.Metric, changeValue(ch.Kind, ch.A), changeValue(ch.Kind, ch.B), changeDelta(ch))
	}
	p("(%d of %d metrics changed)\n", len(changed), len(c.Changes))
	if len(c.Sources) > 0 {
		p("\nSOURCE\tA FUNCTIONS\tA COMMIT\tB FUNCTIONS\tB COMMIT\n")
		for _, s := range c.Sources {
			p("%s\t%s\t%s\n", s.Repo, sourceCells(s.A), sourceCells(s.B))
		}
	}
	return tw.Flush()
}

func changeValue(kind string, v float64) string {
	switch kind {
	case KindCount:
		return thousands(int(v))
	case KindShare:
		return percent(v)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func changeDelta(ch Change) string {
	var d string
	switch ch.Kind {
	case KindShare:
		d = fmt.Sprintf("%+.1f points", 100*ch.Delta)
	case KindCount:
		d = thousands(int(ch.Delta))
		if ch.Delta >= 0 {
			d = "+" + d
		}
	default:
		d = fmt.Sprintf("%+.1f", ch.Delta)
	}
	if ch.Kind != KindShare && ch.A != 0 {
		d += fmt.Sprintf(" (%+.1f%%)", 100*ch.Delta/ch.A)
	}
	return d
}

// sourceCells is a source's functions and commit as two table cells.
func sourceCells(s *SourceStats) string {
	if s == nil {
		return "-\t-"
	}
	return thousands(s.Functions) + "\t" + shortCommit(s.Commit)
}

func distText(d Dist) string {
	return fmt.Sprintf("%.1f/%d/%d", d.Mean, d.Median, d.P90)
}

func filesText(l LanguageStats) string {
	if l.FilesEstimated {
		return "~" + thousands(l.Files)
	}
	return thousands(l.Files)
}

// countsText lists name/count pairs by name: "email 3, url 1"; "none" when
// empty.
func countsText(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+" "+thousands(m[k]))
	}
	return strings.Join(parts, ", ")
}

func percent(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }

func optPercent(x *float64) string {
	if x == nil {
		return "-"
	}
	return percent(*x)
}

func optThousands(n *int) string {
	if n == nil {
		return "-"
	}
	return thousands(*n)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return orDash(c)
}

// thousands formats n with comma separators: 1234567 → "1,234,567".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
