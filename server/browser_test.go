package server_test

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/server"
	"github.com/codeloom/codeloom/server/engine"
)

// chromium finds a Chromium to drive, skipping when the machine has none
// (CI installs Debian's chromium package).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CODELOOM_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found (apt-get install chromium, or set CODELOOM_CHROMIUM)")
	return ""
}

// shotPath is where a screenshot goes: CODELOOM_SCREENSHOT_DIR when set (to
// look at), else a temporary folder.
func shotPath(t *testing.T, name string) string {
	if dir := os.Getenv("CODELOOM_SCREENSHOT_DIR"); dir != "" {
		return filepath.Join(dir, name)
	}
	return filepath.Join(t.TempDir(), name)
}

func TestPageInBrowser(t *testing.T) {
	b := startBrowser(t)
	dir := adapterStore(t)
	writeFiles(t, filepath.Join(dir, "rand"), map[string]string{"train.json": `{"metrics":[{"epoch":1,"loss":3.25}]}`})
	_, ts := start(t, server.Options{APIKeys: []string{"page-key"}, ModelsDir: dir, Inspect: engine.Inspect})
	c := client{t: t, base: ts.URL, key: "page-key"}
	const prompt = "Once upon a time"
	var want generateResponse // what the page's default settings give through the API
	c.postJSON("/generate", map[string]any{"prompt": prompt, "max_tokens": 60, "adapter": "rand", "temperature": 0, "top_k": 40,
		"top_p": 0.95, "min_p": 0.05, "repeat_penalty": 1.1, "seed": -1}, &want)

	q := url.Values{"autorun": {"1"}, "prompt": {prompt}, "max_tokens": {"60"}, "adapter": {"rand"}, "key": {"page-key"}}
	page := b.open(t, ts.URL+"/?"+q.Encode())
	if state := page.waitFor("document.body.dataset.state", "done", "error"); state != "done" {
		t.Fatalf("generation failed in the page: %s", page.eval(`document.getElementById("status").textContent`))
	}
	if n, _ := strconv.Atoi(page.eval(`document.getElementById("output").dataset.pieces`)); n < 2 {
		t.Fatalf("%d pieces: the text did not arrive as a stream", n)
	}
	if got := page.eval(`document.getElementById("code").textContent`); got != prompt+want.GeneratedText {
		t.Fatalf("page shows %q, the API gave %q", got, prompt+want.GeneratedText)
	}
	// The stories model writes prose; the highlighter is checked on code.
	if got := page.eval(`Highlight.html("def f(x): return 'a' # c")`); !strings.Contains(got, `<span class="tok-kw">def</span>`) ||
		!strings.Contains(got, `<span class="tok-str">'a'</span>`) || !strings.Contains(got, `<span class="tok-com"># c</span>`) {
		t.Errorf("highlighter gave %s", got)
	}
	if got := page.eval(`location.search`); strings.Contains(got, "page-key") {
		t.Errorf("the API key stayed in the address: %s", got)
	}
	if got := page.eval(`document.getElementById("adapter").value`); got != "rand" {
		t.Errorf("adapter picker shows %q", got)
	}
	if got := page.eval(`document.getElementById("timings").textContent`); !strings.Contains(got, "60 generated tokens") {
		t.Errorf("timings %q", got)
	}
	page.screenshot(shotPath(t, "serve-page.png"))

	page.eval(`document.querySelector('.tab[data-tab="models"]').click()`)
	page.waitFor(`document.querySelectorAll("#models-table tbody tr").length`, "5")
	table := page.eval(`document.getElementById("models-table").innerText`)
	for _, want := range []string{"rand\tadapter\ttiny", "tiny\tmodel", `"loss": 3.25`, "F32", "292,800"} {
		if !strings.Contains(table, want) {
			t.Errorf("models tab lacks %q:\n%s", want, table)
		}
	}
	page.screenshot(shotPath(t, "serve-models.png"))
}

// TestPageStop checks that the page's Stop button ends the generation on
// the server, not just in the page.
func TestPageStop(t *testing.T) {
	b := startBrowser(t)
	_, ts := start(t, server.Options{Engine: slowEngine{testEngine, 20 * time.Millisecond}})
	page := b.open(t, ts.URL+"/?"+url.Values{"prompt": {"Once upon a time"}, "max_tokens": {"400"}}.Encode())
	page.waitFor(`document.querySelectorAll("#model option").length`, "1")
	page.eval(`document.getElementById("run").click()`)
	page.waitFor(`Number(document.getElementById("output").dataset.pieces) > 2`, "true")
	page.eval(`document.getElementById("cancel").click()`)
	if got := page.waitFor(`document.getElementById("status").textContent`, "stopped", "done"); got != "stopped" {
		t.Fatalf("status %q", got)
	}
	c := client{t: t, base: ts.URL}
	c.waitMetric(`codeloom_generations_total{reason="cancelled"}`, 1)
	if out := c.metric(`codeloom_tokens_total{direction="out"}`); out >= 400 {
		t.Fatalf("%g tokens: the generation ran to the end", out)
	}
}
