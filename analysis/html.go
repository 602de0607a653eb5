package analysis

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/codeloom/codeloom/internal/atomicfile"
)

//go:embed report.html.tmpl
var reportTemplate string

// page is what report.html.tmpl renders: one column per dataset, and the
// changed metrics when there are two.
type page struct {
	Title      string
	Columns    []column
	Comparison *Comparison
}

// column is one dataset's report with its charts drawn.
type column struct {
	R          *Report
	TopSources []SourceStats
	Charts     charts
}

// charts holds the inline SVGs; an empty one is shown as "no data".
type charts struct {
	Languages, Lines, Chars, Tokens, Complexity, Docstrings, Licenses, Funnel, Sources template.HTML
}

// WriteHTML writes a self-contained HTML report of r to path, atomically,
// charting the top sources with the most functions (all when top <= 0).
func WriteHTML(path string, r *Report, top int) error {
	col, err := newColumn(r, top)
	if err != nil {
		return err
	}
	return writePage(path, page{Title: r.Dataset, Columns: []column{col}})
}

// WriteComparisonHTML writes both reports of c side by side, under a table
// of the metrics that changed.
func WriteComparisonHTML(path string, c *Comparison, top int) error {
	p := page{Title: c.A.Dataset + " vs " + c.B.Dataset, Comparison: c}
	for _, r := range []*Report{c.A, c.B} {
		col, err := newColumn(r, top)
		if err != nil {
			return err
		}
		p.Columns = append(p.Columns, col)
	}
	return writePage(path, p)
}

func writePage(path string, p page) error {
	t, err := template.New("report").Funcs(template.FuncMap{
		"thousands":   thousands,
		"optCount":    optThousands,
		"percent":     percent,
		"optPercent":  optPercent,
		"dist":        distText,
		"files":       filesText,
		"shortCommit": shortCommit,
		"orDash":      orDash,
		"counts":      countsText,
		"filesSeen":   filesSeenText,
		"value":       changeValue,
		"delta":       changeDelta,
	}).Parse(reportTemplate)
	if err != nil {
		return fmt.Errorf("parse report template: %w", err)
	}
	return atomicfile.Write(path, func(w io.Writer) error { return t.Execute(w, p) })
}

func newColumn(r *Report, top int) (column, error) {
	c := column{R: r, TopSources: topSources(r.Sources, top)}
	var langs, docs, licenses, funnel, sources []bar
	for _, l := range r.Languages {
		langs = append(langs, bar{l.Language, float64(l.Functions)})
		docs = append(docs, bar{l.Language, l.DocstringCoverage})
	}
	for _, l := range r.Licenses {
		licenses = append(licenses, bar{l.License, float64(l.Functions)})
	}
	for _, s := range c.TopSources {
		sources = append(sources, bar{s.Repo, float64(s.Functions)})
	}
	if f := r.Filters; f != nil {
		for _, s := range f.Funnel {
			funnel = append(funnel, bar{s.Stage, float64(s.Functions)})
		}
	}
	t := &r.Total
	var err error
	// draw keeps the first error so the charts read as one list.
	draw := func(svg template.HTML, e error) template.HTML {
		if err == nil {
			err = e
		}
		return svg
	}
	c.Charts = charts{
		Languages:  draw(hbars(langs, maxValue(langs), countOf(float64(t.Functions)))),
		Lines:      draw(histogramChart(smallWidth, t.Lines.Histogram)),
		Chars:      draw(histogramChart(smallWidth, t.Chars.Histogram)),
		Tokens:     draw(histogramChart(smallWidth, t.Tokens.Histogram)),
		Complexity: draw(histogramChart(chartWidth, t.Complexity.Histogram)),
		Docstrings: draw(hbars(docs, 1, percent)),
		Licenses:   draw(pieChart(licenses, 8)),
		Funnel:     draw(hbars(funnel, maxValue(funnel), countOf(maxValue(funnel)))),
		Sources:    draw(hbars(sources, maxValue(sources), countOf(float64(t.Functions)))),
	}
	if err != nil {
		return column{}, fmt.Errorf("report of %s: %w", r.Dataset, err)
	}
	return c, nil
}

func maxValue(bars []bar) float64 {
	m := 0.0
	for _, b := range bars {
		m = max(m, b.value)
	}
	return m
}
