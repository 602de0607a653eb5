package analysis

import (
	"strings"
	"testing"
)

// TestChartsEscapeLabels covers the charts with names from the data (repos,
// languages, licences); histogram labels are numbers.
func TestChartsEscapeLabels(t *testing.T) {
	label := `<b>&"x"`
	draws := map[string]func() (string, error){
		"hbars": func() (string, error) {
			svg, err := hbars([]bar{{label, 3}, {"y", 1}}, 3, countOf(4))
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

func TestShorten(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"go", 30, "go"},
		{"github.com/some-organisation/a-rather-long-repository-name-0", 30, "github.com/som…pository-name-0"},
		{"äöüäöüäöü", 5, "äö…öü"},
	}
	for _, tt := range tests {
		got := shorten(tt.s, tt.n)
		if got != tt.want || len([]rune(got)) > tt.n {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
