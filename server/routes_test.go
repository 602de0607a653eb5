package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/server"
	"github.com/codeloom/codeloom/server/engine"
)

type generateResponse struct {
	GeneratedText string `json:"generated_text"`
	Model         string `json:"model"`
	Adapter       string `json:"adapter"`
	FinishReason  string `json:"finish_reason"`
	Usage         struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
	Timings struct {
		TTFTMs    float64 `json:"ttft_ms"`
		PromptTPS float64 `json:"prompt_tps"`
		GenTPS    float64 `json:"gen_tps"`
	} `json:"timings"`
}

func TestGenerate(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	cases := []struct {
		name   string
		req    map[string]any
		tokens int
		finish string
	}{
		{"max_tokens", map[string]any{"prompt": "Once upon a time", "max_tokens": 12, "temperature": 0}, 12, "length"},
		{"max_length alias", map[string]any{"prompt": "Once upon a time", "max_length": 7, "temperature": 0}, 7, "length"},
		{"sampled with seed", map[string]any{"prompt": "The dog", "max_tokens": 9, "seed": 42, "top_k": 10, "top_p": 0.9,
			"min_p": 0.1, "repeat_penalty": 1.1, "temperature": 0.7}, 9, "length"},
		{"stop string", map[string]any{"prompt": "Once upon a time", "max_tokens": 60, "temperature": 0, "stop": []string{"."}}, -1, "stop"},
		{"named model", map[string]any{"prompt": "Lily", "model": "tiny", "max_tokens": 3}, 3, "length"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r generateResponse
			if st := c.postJSON("/generate", tc.req, &r); st != http.StatusOK {
				t.Fatalf("status %d", st)
			}
			if r.FinishReason != tc.finish || r.Model != "tiny" || r.GeneratedText == "" {
				t.Fatalf("got %+v", r)
			}
			if tc.tokens >= 0 && r.Usage.CompletionTokens != tc.tokens {
				t.Fatalf("completion tokens %d, want %d", r.Usage.CompletionTokens, tc.tokens)
			}
			if r.Usage.PromptTokens == 0 || r.Usage.TotalTokens != r.Usage.PromptTokens+r.Usage.CompletionTokens || r.Timings.TTFTMs <= 0 {
				t.Fatalf("usage or timings wrong: %+v", r)
			}
			if tc.finish == "stop" && strings.Contains(r.GeneratedText, ".") {
				t.Fatalf("stop string leaked into %q", r.GeneratedText)
			}
		})
	}
	t.Run("greedy is deterministic, seeds too", func(t *testing.T) {
		for _, req := range []map[string]any{
			{"prompt": "Once upon a time", "max_tokens": 24, "temperature": 0},
			{"prompt": "Once upon a time", "max_tokens": 24, "temperature": 1, "seed": 7},
		} {
			var a, b generateResponse
			c.postJSON("/generate", req, &a)
			c.postJSON("/generate", req, &b)
			if a.GeneratedText != b.GeneratedText {
				t.Fatalf("%v: %q != %q", req, a.GeneratedText, b.GeneratedText)
			}
		}
	})
}

func TestGenerateStream(t *testing.T) {
	_, ts := start(t, server.Options{})
	resp, err := http.Post(ts.URL+"/generate", "application/json",
		strings.NewReader(`{"prompt":"Once upon a time","max_tokens":16,"temperature":0,"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("status %d content type %q", resp.StatusCode, ct)
	}
	events := readSSE(t, resp.Body)
	var text strings.Builder
	for _, ev := range events[:len(events)-1] {
		var p struct{ Text string }
		if err := json.Unmarshal([]byte(ev.data), &p); ev.name != "piece" || err != nil {
			t.Fatalf("event %+v: %v", ev, err)
		}
		text.WriteString(p.Text)
	}
	last := events[len(events)-1]
	var done generateResponse
	if err := json.Unmarshal([]byte(last.data), &done); last.name != "done" || err != nil {
		t.Fatalf("last event %+v: %v", last, err)
	}
	if len(events) < 3 || done.GeneratedText != text.String() || done.Usage.CompletionTokens != 16 {
		t.Fatalf("%d events, pieces %q, done %+v", len(events), text.String(), done)
	}
	// The same request without streaming gives the same text.
	var plain generateResponse
	client{t: t, base: ts.URL}.postJSON("/generate", map[string]any{"prompt": "Once upon a time", "max_tokens": 16, "temperature": 0}, &plain)
	if plain.GeneratedText != done.GeneratedText {
		t.Fatalf("stream %q != plain %q", done.GeneratedText, plain.GeneratedText)
	}
}

func TestClassify(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	var r struct {
		Method string
		Label  string
		Labels []struct {
			Label       string
			LogProb     float64 `json:"logprob"`
			Tokens      int
			Probability float64
		}
	}
	st := c.postJSON("/classify", map[string]any{"text": "Lily went to the park with her mom.",
		"labels": []string{"happy story", "xylophone quantum zebra"}}, &r)
	if st != http.StatusOK || r.Method != "model_scoring" || len(r.Labels) != 2 {
		t.Fatalf("status %d: %+v", st, r)
	}
	sum := 0.0
	for i, l := range r.Labels {
		sum += l.Probability
		if l.Tokens == 0 || l.LogProb >= 0 || (i > 0 && l.LogProb > r.Labels[i-1].LogProb) {
			t.Fatalf("labels not scored or not ranked: %+v", r.Labels)
		}
	}
	if r.Label != r.Labels[0].Label || sum < 0.999 || sum > 1.001 {
		t.Fatalf("top label %q, probabilities sum to %g", r.Label, sum)
	}
	// Ordinary words are likelier to a model of stories than nonsense.
	if r.Label != "happy story" {
		t.Fatalf("ranked %+v", r.Labels)
	}

	var lang struct {
		Method, Language string
		Candidates       []server.LanguageGuess
	}
	st = c.postJSON("/classify", map[string]any{"text": "package main\n\nfunc main() {\n\tx := 1\n\tfmt.Println(x)\n}\n"}, &lang)
	if st != http.StatusOK || lang.Language != "go" || lang.Method != "heuristics" || len(lang.Candidates) == 0 {
		t.Fatalf("status %d: %+v", st, lang)
	}
}

func TestModelsAndHealth(t *testing.T) {
	dir := newStore(t)
	model := filepath.Join(dir, "tiny.gguf")
	// A trained adapter folder with metrics; its adapter file here is the
	// model itself, which is all GET /models needs to list and inspect it.
	ad := filepath.Join(dir, "tuned")
	writeFiles(t, ad, map[string]string{"base": "tiny", "train.json": `{"metrics":[{"epoch":1,"loss":2.5}]}`})
	if err := os.Symlink(model, filepath.Join(ad, "adapter.gguf")); err != nil {
		t.Fatal(err)
	}
	_, ts := start(t, server.Options{ModelsDir: dir, Inspect: engine.Inspect})
	c := client{t: t, base: ts.URL}

	if st, _, body := c.do("GET", "/health", ""); st != 200 || string(body) != `{"status":"ok"}` {
		t.Fatalf("health %d %s", st, body)
	}
	var list struct {
		Models []struct {
			server.Entry
			server.Metrics
			Loaded bool
			Info   *struct {
				Architecture  string
				Params        int64  `json:"parameters"`
				ContextLength int    `json:"context_length"`
				FileType      string `json:"quantization"`
			}
		}
	}
	get := func() {
		_, _, body := c.do("GET", "/models", "")
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
	}
	get()
	if len(list.Models) != 2 {
		t.Fatalf("models: %+v", list.Models)
	}
	m, a := list.Models[0], list.Models[1]
	if m.Name != "tiny" || m.Kind != "model" || m.Loaded || m.Info == nil || m.Info.Architecture != "llama" ||
		m.Info.Params == 0 || m.Info.ContextLength == 0 || m.Info.FileType == "" || m.SizeBytes == 0 {
		t.Fatalf("model row %+v info %+v", m, m.Info)
	}
	if a.Name != "tuned" || a.Kind != "adapter" || a.Base != "tiny" || !strings.Contains(string(a.Training), `"loss":2.5`) {
		t.Fatalf("adapter row %+v", a)
	}
	c.postJSON("/generate", map[string]any{"prompt": "Hi", "max_tokens": 1}, nil)
	get()
	if !list.Models[0].Loaded {
		t.Fatal("model not loaded after a generation")
	}

	var v1 struct {
		Object string
		Data   []struct{ ID, Object, OwnedBy string }
	}
	_, _, body := c.do("GET", "/v1/models", "")
	if err := json.Unmarshal(body, &v1); err != nil || v1.Object != "list" || len(v1.Data) != 2 || v1.Data[0].ID != "tiny" || v1.Data[0].Object != "model" {
		t.Fatalf("v1 models %s: %v", body, err)
	}
}

func TestHealthUnavailable(t *testing.T) {
	cases := []struct {
		name, dir, reason string
	}{
		{"empty store", t.TempDir(), "no models in"},
		{"missing store", filepath.Join(t.TempDir(), "nope"), "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := start(t, server.Options{ModelsDir: tc.dir})
			st, _, body := client{t: t, base: ts.URL}.do("GET", "/health", "")
			if st != http.StatusServiceUnavailable || !strings.Contains(string(body), tc.reason) {
				t.Fatalf("%d %s", st, body)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	c.postJSON("/generate", map[string]any{"prompt": "Once", "max_tokens": 5}, nil)
	c.do("POST", "/generate", `{`)
	_, h, body := c.do("GET", "/metrics", "")
	text := string(body)
	for _, want := range []string{
		`codeloom_requests_total{route="/generate",status="200"} 1`,
		`codeloom_requests_total{route="/generate",status="400"} 1`,
		`codeloom_tokens_total{direction="out"} 5`,
		`codeloom_generations_total{reason="length"} 1`,
		`codeloom_request_duration_seconds_count{route="/generate"} 2`,
		`codeloom_time_to_first_token_seconds_count 1`,
		"codeloom_queue_depth 0", "codeloom_requests_in_flight 0", "codeloom_models_loaded 1",
		"# TYPE codeloom_request_duration_seconds histogram",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Errorf("content type %q", h.Get("Content-Type"))
	}
	if t.Failed() {
		t.Log(text)
	}
}

func TestPage(t *testing.T) {
	_, ts := start(t, server.Options{APIKeys: []string{"k"}})
	c := client{t: t, base: ts.URL}
	for path, want := range map[string]string{"/": "<title>codeloom</title>", "/assets/app.js": "readEvents",
		"/assets/highlight.js": "Highlight", "/assets/style.css": ".code"} {
		st, _, body := c.do("GET", path, "")
		if st != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, body lacks %q", path, st, want)
		}
	}
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
