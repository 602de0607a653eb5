package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/server"
)

// writeAbortingModel writes a model that passes codeloom's Go checks but
// makes the engine abort the process on its first prompt: it has no
// vocabulary (tokenizer model "none"), which the engine loads and then
// asserts on when tokenizing (llama-vocab.cpp).
func writeAbortingModel(t testing.TB, path string) {
	t.Helper()
	tok := gguf.SPMByteTokenizer()
	tok.Model = "none"
	if err := gguf.WriteTinyLlama(context.Background(), path, gguf.TinyLlamaConfig{Tokenizer: tok}); err != nil {
		t.Fatal(err)
	}
}

// TestAbortingModelSparesTheServer: a request naming a model file that
// crashes the engine gets a JSON error naming the file, while a stream on
// a healthy model runs on and the server answers afterwards. Without the
// load probe the engine's abort ends this whole test binary.
func TestAbortingModelSparesTheServer(t *testing.T) {
	dir := newStore(t)
	writeAbortingModel(t, filepath.Join(dir, "bad.gguf"))
	_, ts := start(t, server.Options{ModelsDir: dir, MaxLoaded: 2})
	c := client{t: t, base: ts.URL}

	const n = 200
	resp, err := http.Post(ts.URL+"/generate", "application/json", strings.NewReader(
		fmt.Sprintf(`{"model":"tiny","prompt":"Once upon a time","max_tokens":%d,"temperature":0,"stream":true}`, n)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("stream: status %d", resp.StatusCode)
	}

	status, _, body := c.do(http.MethodPost, "/generate", `{"model":"bad","prompt":"x","max_tokens":2}`)
	var e struct {
		Error struct{ Message, Code string }
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("bad model: body %q is not a JSON error: %v", body, err)
	}
	if status < 400 || status == http.StatusServiceUnavailable {
		t.Errorf("bad model: status %d, want a 4xx/5xx other than 503", status)
	}
	for _, want := range []string{"bad.gguf", "crashed", "GGML_ASSERT"} {
		if !strings.Contains(e.Error.Message, want) {
			t.Errorf("bad model: message %q does not say %q", e.Error.Message, want)
		}
	}

	events := readSSE(t, resp.Body)
	last := events[len(events)-1]
	var done generateResponse
	if err := json.Unmarshal([]byte(last.data), &done); last.name != "done" || err != nil {
		t.Fatalf("the healthy stream ended with %+v: %v", last, err)
	}
	if done.Usage.CompletionTokens != n && done.Usage.CompletionTokens == 0 {
		t.Fatalf("the healthy stream stopped early: %+v", done)
	}

	var after generateResponse
	if st := c.postJSON("/generate", map[string]any{"model": "tiny", "prompt": "Once", "max_tokens": 4}, &after); st != 200 || after.GeneratedText == "" {
		t.Fatalf("healthy model after the crash: status %d, %+v", st, after)
	}
	// The verdict is remembered: the second request is refused alike
	// without another child.
	if st, _, _ := c.do(http.MethodPost, "/generate", `{"model":"bad","prompt":"x"}`); st != status {
		t.Errorf("second request for the bad model: status %d, want %d", st, status)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.gguf")); err != nil {
		t.Fatal(err)
	}
}
