package analysis

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wcharczuk/go-chart/v2/drawing"
	"golang.org/x/net/html"
)

// chromium finds the browser: $CODELOOM_CHROMIUM, else chromium on the PATH.
// Without one the test is skipped, except under CI, which installs it.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CODELOOM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; CI must install it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium), or set CODELOOM_CHROMIUM")
	return ""
}

// runChromium loads page in headless Chromium, offline, with extra flags.
func runChromium(t *testing.T, page string, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}, extra...)
	cmd := exec.CommandContext(ctx, chromium(t), append(args, "file://"+page)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return out
}

// chartNames are the div.chart blocks of a one-dataset report, in order.
var chartNames = []string{"languages", "lines", "chars", "tokens", "complexity", "docstrings", "licenses", "funnel", "sources"}

func TestHTMLReportInChromium(t *testing.T) {
	r, err := Analyze(context.Background(), writeSynthetic(t, filepath.Join(t.TempDir(), "synthetic"), 5000))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(page, r, 10); err != nil {
		t.Fatal(err)
	}
	checkOffline(t, page)

	dom, err := html.Parse(bytes.NewReader(runChromium(t, page, "--dump-dom")))
	if err != nil {
		t.Fatal(err)
	}
	charts := findAll(dom, func(n *html.Node) bool { return n.Data == "div" && attr(n, "class") == "chart" })
	if len(charts) != len(chartNames) {
		t.Fatalf("the rendered page has %d charts, want %d", len(charts), len(chartNames))
	}
	for i, c := range charts {
		svg := findAll(c, func(n *html.Node) bool { return n.Data == "svg" })
		paths := findAll(c, func(n *html.Node) bool { return n.Data == "path" && len(attr(n, "d")) > 10 })
		texts := findAll(c, func(n *html.Node) bool { return n.Data == "text" && n.FirstChild != nil })
		if len(svg) != 1 || len(paths) < 5 || len(texts) < 3 {
			t.Errorf("chart %s: %d svg, %d drawn paths, %d labels", chartNames[i], len(svg), len(paths), len(texts))
		}
	}
	languageLabels := textOf(charts[0])
	for _, lang := range synthLanguages {
		if !strings.Contains(languageLabels, lang) {
			t.Errorf("the language chart does not name %s", lang)
		}
	}
	if !strings.Contains(textOf(charts[7]), "after exact dedup") {
		t.Error("the funnel chart does not name its stages")
	}
	if n := len(findAll(dom, func(n *html.Node) bool { return attr(n, "class") == "empty" })); n != 0 {
		t.Errorf("%d sections say there is no data", n)
	}

	shot := filepath.Join(t.ArtifactDir(), "report.png")
	runChromium(t, page, "--window-size=1280,7000", "--hide-scrollbars", "--screenshot="+shot)
	checkScreenshot(t, shot)
	t.Logf("screenshot: %s (kept with go test -artifacts -outputdir=DIR)", shot)
}

func TestComparisonHTMLInChromium(t *testing.T) {
	c := twoRuns(t)
	page := filepath.Join(t.TempDir(), "compare.html")
	if err := WriteComparisonHTML(page, c, 0); err != nil {
		t.Fatal(err)
	}
	checkOffline(t, page)
	dom, err := html.Parse(bytes.NewReader(runChromium(t, page, "--dump-dom")))
	if err != nil {
		t.Fatal(err)
	}
	columns := findAll(dom, func(n *html.Node) bool { return n.Data == "div" && attr(n, "class") == "column" })
	if len(columns) != 2 {
		t.Fatalf("%d columns, want 2", len(columns))
	}
	// B has no manifest, so no funnel: its section says so instead.
	for i, want := range []int{len(chartNames), len(chartNames) - 1} {
		charts := findAll(columns[i], func(n *html.Node) bool { return n.Data == "div" && attr(n, "class") == "chart" })
		if len(charts) != want {
			t.Errorf("column %d has %d charts, want %d", i, len(charts), want)
		}
	}
	if got := textOf(columns[1]); !strings.Contains(got, "No manifest.json") {
		t.Error("column B does not say it has no manifest")
	}
	changes := findAll(dom, func(n *html.Node) bool { return n.Data == "section" && attr(n, "id") == "changes" })
	if len(changes) != 1 {
		t.Fatal("no changes section")
	}
	rows := findAll(changes[0], func(n *html.Node) bool { return n.Data == "tr" })
	// A header and the changed metrics, then a header and the changed sources.
	if want := 1 + len(c.Changed()) + 1 + len(c.Sources); len(rows) != want {
		t.Errorf("%d table rows in the changes section, want %d", len(rows), want)
	}
	if text := textOf(changes[0]); !strings.Contains(text, "languages.python.docstring_coverage 66.7% 100.0% +33.3 points") {
		t.Errorf("the changes table lacks python's docstring coverage: %s", text)
	}
}

// checkOffline makes sure the page fetches nothing: no scripts, styles,
// images or links to elsewhere. The SVG namespace names are not fetched.
func checkOffline(t *testing.T, page string) {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "").Replace(string(b))
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", " src=", " href=", "url(", "@import", "http:", "https:"} {
		if strings.Contains(s, bad) {
			t.Errorf("the report contains %q: it would not work offline", bad)
		}
	}
}

// checkScreenshot checks the picture is the report and not a blank or error
// page: the bars' colour covers a fair area.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bounds := img.Bounds()
	barColor := drawing.ColorFromHex(barHex)
	var barPixels int
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r>>8, uint32(barColor.R)) && near(g>>8, uint32(barColor.G)) && near(b>>8, uint32(barColor.B)) {
				barPixels++
			}
		}
	}
	t.Logf("screenshot %dx%d, %d pixels in the bar colour", bounds.Dx(), bounds.Dy(), barPixels)
	if barPixels < 20_000 {
		t.Errorf("only %d pixels in the bar colour: the charts were not painted", barPixels)
	}
}

func near(a, b uint32) bool { return max(a, b)-min(a, b) <= 8 }

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	if n.Type == html.ElementNode && match(n) {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, findAll(c, match)...)
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

var spaces = regexp.MustCompile(`\s+`)

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return spaces.ReplaceAllString(b.String(), " ")
}
