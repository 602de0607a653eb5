package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/modelstore"
	"github.com/codeloom/codeloom/server"
)

// defaultsStore holds "tiny" (the fixture, no defaults.json), "tuned" (the
// same weights with defaults.json: greedy, 5 tokens) and "bad" (the same
// weights with a defaults.json that is not JSON).
func defaultsStore(t *testing.T) string {
	t.Helper()
	dir := newStore(t)
	for _, name := range []string{"tuned", "bad"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(fixtureModel(t), filepath.Join(dir, name, modelstore.ModelFile)); err != nil {
			t.Fatal(err)
		}
	}
	temp, maxTokens := float32(0), 5
	if err := modelstore.WriteDefaults(filepath.Join(dir, "tuned"), &modelstore.Defaults{Temperature: &temp, MaxTokens: &maxTokens}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad", modelstore.DefaultsFile), []byte("{temperature: 0"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type completion struct {
	Choices []struct {
		Text         string `json:"text"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

func TestModelDefaultsFillWhatRequestsLeaveOut(t *testing.T) {
	_, ts := start(t, server.Options{ModelsDir: defaultsStore(t)})
	c := client{t: t, base: ts.URL}
	complete := func(req map[string]any) completion {
		t.Helper()
		req["prompt"] = "Once upon a time"
		var out completion
		if st := c.postJSON("/v1/completions", req, &out); st != 200 || len(out.Choices) != 1 {
			t.Fatalf("%v: status %d, %+v", req, st, out)
		}
		return out
	}
	// OpenAI's defaults are temperature 1 and 256 tokens; "tuned" says
	// greedy and 5, so its text is tiny's greedy text of 5 tokens.
	got := complete(map[string]any{"model": "tuned"})
	greedy := complete(map[string]any{"model": "tiny", "temperature": 0, "max_tokens": 5})
	if got.Usage.CompletionTokens != 5 || got.Choices[0].FinishReason != "length" {
		t.Fatalf("tuned without fields: %d tokens, finish %q; want 5 and length", got.Usage.CompletionTokens, got.Choices[0].FinishReason)
	}
	if got.Choices[0].Text != greedy.Choices[0].Text {
		t.Fatalf("tuned without fields gave %q, want the greedy %q", got.Choices[0].Text, greedy.Choices[0].Text)
	}
	// The request's own values win over the model's.
	if n := complete(map[string]any{"model": "tuned", "max_tokens": 8}).Usage.CompletionTokens; n != 8 {
		t.Fatalf("max_tokens 8 gave %d tokens", n)
	}
	sampled := map[string]any{"temperature": 1.5, "seed": 3, "max_tokens": 12}
	want := complete(map[string]any{"model": "tiny", "temperature": 1.5, "seed": 3, "max_tokens": 12})
	sampled["model"] = "tuned"
	if got := complete(sampled); got.Choices[0].Text != want.Choices[0].Text {
		t.Fatalf("temperature 1.5 on tuned gave %q, want %q as on tiny (not greedy)", got.Choices[0].Text, want.Choices[0].Text)
	}
	// /generate, the other way requests get their defaults, too.
	var g struct {
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if st := c.postJSON("/generate", map[string]any{"model": "tuned", "prompt": "Once upon a time"}, &g); st != 200 || g.Usage.CompletionTokens != 5 {
		t.Fatalf("/generate on tuned: status %d, %d tokens; want 5", st, g.Usage.CompletionTokens)
	}
}

func TestBadModelDefaultsAreListed(t *testing.T) {
	_, ts := start(t, server.Options{ModelsDir: defaultsStore(t)})
	c := client{t: t, base: ts.URL}
	st, _, body := c.do("GET", "/models", "")
	var list struct {
		Models []struct {
			Name          string               `json:"name"`
			Defaults      *modelstore.Defaults `json:"defaults"`
			DefaultsError string               `json:"defaults_error"`
		} `json:"models"`
	}
	if err := json.Unmarshal(body, &list); st != 200 || err != nil {
		t.Fatalf("GET /models: %d %v: %s", st, err, body)
	}
	seen := map[string]bool{}
	for _, m := range list.Models {
		seen[m.Name] = true
		switch m.Name {
		case "bad":
			// The file is named relative to the store, which is not shown.
			if !strings.HasPrefix(m.DefaultsError, "read bad/defaults.json: ") {
				t.Errorf("bad: defaults_error %q, want it to name bad/defaults.json", m.DefaultsError)
			}
		case "tuned":
			if m.Defaults == nil || m.Defaults.MaxTokens == nil || *m.Defaults.MaxTokens != 5 || m.DefaultsError != "" {
				t.Errorf("tuned: defaults %+v, error %q", m.Defaults, m.DefaultsError)
			}
		}
	}
	if !seen["bad"] || !seen["tuned"] || !seen["tiny"] {
		t.Fatalf("models listed: %v; want bad, tuned and tiny", seen)
	}
	// A model whose defaults.json is bad still serves, with the server's defaults.
	var out completion
	if st := c.postJSON("/v1/completions", map[string]any{"model": "bad", "prompt": "Once", "max_tokens": 3}, &out); st != 200 || out.Usage.CompletionTokens != 3 {
		t.Fatalf("bad: status %d, %+v", st, out)
	}
}

// A defaults.json chat_template renders chat requests with that built-in
// template instead of the model's own; a name the engine lacks is a 400
// that names it.
func TestModelDefaultsChatTemplate(t *testing.T) {
	dir := newStore(t)
	for name, tmpl := range map[string]string{"llama3": "llama3", "nosuch": "no-such-template"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(fixtureModel(t), filepath.Join(dir, name, modelstore.ModelFile)); err != nil {
			t.Fatal(err)
		}
		if err := modelstore.WriteDefaults(filepath.Join(dir, name), &modelstore.Defaults{ChatTemplate: tmpl}); err != nil {
			t.Fatal(err)
		}
	}
	_, ts := start(t, server.Options{ModelsDir: dir})
	c := client{t: t, base: ts.URL}
	promptTokens := func(model string) (int, int, string) {
		t.Helper()
		var out struct {
			Usage struct {
				PromptTokens int `json:"prompt_tokens"`
			} `json:"usage"`
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		st := c.postJSON("/v1/chat/completions", map[string]any{"model": model, "max_tokens": 1,
			"messages": []map[string]string{{"role": "user", "content": "Tell a story"}}}, &out)
		return st, out.Usage.PromptTokens, out.Error.Message
	}
	st, own, _ := promptTokens("tiny")
	if st != 200 {
		t.Fatalf("model's own template: status %d", st)
	}
	st, llama3, _ := promptTokens("llama3")
	if st != 200 || llama3 == own {
		t.Fatalf("llama3 template: status %d, %d prompt tokens, the model's own gave %d", st, llama3, own)
	}
	if st, _, msg := promptTokens("nosuch"); st != 400 || !strings.Contains(msg, "no-such-template") {
		t.Fatalf("unknown template: status %d, %q", st, msg)
	}
}
