package analysis

import (
	"strings"
	"testing"
)

func TestChartsEscapeLabels(t *testing.T) {
	label := `<b>&"x"`
	draws := map[string]func() (string, error){
		"bar": func() (string, error) {
			svg, err := barChart(chartWidth, []bar{{label, 3}, {"y", 1}}, 3, countFormat)
			return string(svg), err
		},
		"hbars": func() (string, error) {
			svg, err := hbars([]bar{{label, 3}, {"y", 1}}, 4)
			return string(svg), err
		},
		"pie": func() (string, error) {
			svg, err := pieChart([]bar{{label, 3}, {"y", 1}}, 8)
			return string(svg), err
		},
	}
	for name, draw := range draws {
		svg, err := draw()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(svg, label) || !strings.Contains(svg, "&lt;b&gt;&amp;") {
			t.Errorf("%s chart does not escape its labels", name)
		}
	}
}

func TestPieChartGroupsSmallParts(t *testing.T) {
	parts := []bar{{"a", 50}, {"b", 20}, {"c", 10}, {"d", 5}, {"e", 1}}
	svg, err := pieChart(parts, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">a<", ">b<", ">other<"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("pie lacks %s", want)
		}
	}
	if strings.Contains(string(svg), ">c<") || parts[2].label != "c" {
		t.Error("small parts were not grouped, or the caller's slice was changed")
	}
}

func TestCompact(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 1023: "1023", 1024: "1k", 1536: "1.5k", 1 << 20: "1M", 3 << 20: "3M"} {
		if got := compact(n); got != want {
			t.Errorf("compact(%d) = %q, want %q", n, got, want)
		}
	}
}
