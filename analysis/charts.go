package analysis

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"io"
	"strconv"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Charts are drawn as SVG by go-chart and inlined into the HTML report, so
// the report needs no script and no network. go-chart writes label text into
// the SVG verbatim, hence every label passes through svgText first.

// Colours of the bars and of the grey rest of a horizontal bar.
const (
	barHex  = "4e79a7"
	restHex = "e4e7ec"
)

const (
	chartWidth  = 800
	chartHeight = 320
	smallWidth  = 480 // for charts shown three in a row
	hbarWidth   = 22  // thickness of one horizontal bar
	hbarSpacing = 8
	hbarLabels  = 240 // room left of the horizontal bars for their names
	// hbarNameRunes is about what fits in hbarLabels on one line; longer
	// names would wrap onto the next bar's.
	hbarNameRunes = 30
)

// bar is one labelled value of a chart.
type bar struct {
	label string
	value float64
}

// filled is the style of a bar or slice in one colour.
func filled(hex string) chart.Style {
	c := drawing.ColorFromHex(hex)
	return chart.Style{FillColor: c, StrokeColor: c}
}

// shorten cuts s to n runes by replacing its middle with an ellipsis, which
// keeps both a repository's owner and its distinctive name visible.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// svgText escapes a label for the SVG's text nodes.
func svgText(s string) string { return html.EscapeString(s) }

// histogramChart draws the bins as vertical bars of counts.
func histogramChart(width int, bins []Bin) (template.HTML, error) {
	bars := histogramBars(bins)
	if len(bars) == 0 {
		return "", nil
	}
	// An empty range is an error to go-chart.
	yMax := max(maxValue(bars), 1)
	c := chart.BarChart{
		Width:    width,
		Height:   chartHeight,
		BarWidth: max(8, min(60, (width-100)/len(bars)-10)),
		YAxis: chart.YAxis{
			Range:          &chart.ContinuousRange{Min: 0, Max: yMax},
			ValueFormatter: countFormat,
		},
	}
	for _, b := range bars {
		c.Bars = append(c.Bars, chart.Value{
			Label: svgText(b.label),
			Value: b.value,
			Style: filled(barHex),
		})
	}
	return render(c)
}

// hbars draws one horizontal bar per named value, for any number of long
// names, scaled so that full width is top, with label(value) written on it.
// go-chart draws horizontal bars only as stacked bars normalised to 100%, so
// each bar is its value plus the rest up to top in grey; the label goes on
// the longer part.
func hbars(bars []bar, top float64, label func(float64) string) (template.HTML, error) {
	if len(bars) == 0 || top <= 0 {
		return "", nil
	}
	c := chart.StackedBarChart{
		Width:        chartWidth,
		Height:       len(bars)*(hbarWidth+hbarSpacing) + 40,
		BarSpacing:   hbarSpacing,
		IsHorizontal: true,
		XAxis:        chart.Style{Hidden: true},
		Background:   chart.Style{Padding: chart.Box{Left: hbarLabels, Top: 20, Right: 20, Bottom: 20}},
	}
	for _, b := range bars {
		text := svgText(label(b.value))
		value := chart.Value{Value: b.value, Style: filled(barHex)}
		value.Style.FontColor, value.Style.FontSize = drawing.ColorWhite, 9
		rest := chart.Value{Value: top - b.value, Style: filled(restHex)}
		rest.Style.FontSize = 9
		if b.value >= top/2 {
			value.Label = text
		} else {
			rest.Label = text
		}
		c.Bars = append(c.Bars, chart.StackedBar{Name: svgText(shorten(b.label, hbarNameRunes)), Width: hbarWidth, Values: []chart.Value{rest, value}})
	}
	return render(c)
}

// pieChart draws parts of a whole, largest first; past maxParts the
// smallest are summed into "other" so labels stay readable.
func pieChart(parts []bar, maxParts int) (template.HTML, error) {
	if len(parts) > maxParts {
		var other float64
		for _, s := range parts[maxParts-1:] {
			other += s.value
		}
		parts = append(parts[:maxParts-1:maxParts-1], bar{"other", other})
	}
	c := chart.PieChart{Width: chartHeight + 80, Height: chartHeight + 80}
	for _, s := range parts {
		if s.value > 0 {
			c.Values = append(c.Values, chart.Value{Label: svgText(s.label), Value: s.value})
		}
	}
	if len(c.Values) == 0 {
		return "", nil
	}
	return render(c)
}

// render draws any go-chart chart as SVG.
func render(c interface {
	Render(chart.RendererProvider, io.Writer) error
}) (template.HTML, error) {
	var buf bytes.Buffer
	if err := c.Render(chart.SVG, &buf); err != nil {
		return "", fmt.Errorf("draw chart: %w", err)
	}
	// Labels were escaped by svgText; the only other text is axis numbers.
	return template.HTML(buf.String()), nil
}

// histogramBars labels each bin by its lower bound ("2k"), the last one
// open ("64+"); a bin runs up to the next bar's label.
func histogramBars(bins []Bin) []bar {
	out := make([]bar, len(bins))
	for i, b := range bins {
		label := compact(b.Lo)
		if b.Hi == nil {
			label += "+"
		}
		out[i] = bar{label, float64(b.Count)}
	}
	return out
}

// compact writes 1536 as "1.5k" and 2097152 as "2M", so axis labels fit.
func compact(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + "M"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', -1, 64) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func countFormat(v any) string {
	if f, ok := v.(float64); ok {
		return thousands(int(f))
	}
	return fmt.Sprint(v)
}

// countOf labels a count with its share of total: "1,234 (5.6%)".
func countOf(total float64) func(float64) string {
	return func(v float64) string {
		if total <= 0 {
			return thousands(int(v))
		}
		return fmt.Sprintf("%s (%s)", thousands(int(v)), percent(v/total))
	}
}
