package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/server"
)

func TestBadInput(t *testing.T) {
	_, ts := start(t, server.Options{MaxBodyBytes: 4096, MaxTokens: 1000})
	c := client{t: t, base: ts.URL}
	long := strings.Repeat("Once upon a time there was a dog. ", 200) // far over the 512-token test context
	cases := []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"invalid JSON", "/generate", `{"prompt": "x"`, 400, "invalid_json"},
		{"not an object", "/generate", `[1,2]`, 400, "invalid_type"},
		{"empty body", "/generate", ``, 400, "invalid_json"},
		{"trailing data", "/generate", `{"prompt":"x"} {}`, 400, "invalid_json"},
		{"wrong type", "/generate", `{"prompt": 5}`, 400, "invalid_type"},
		{"wrong type of number", "/generate", `{"prompt": "x", "max_tokens": "ten"}`, 400, "invalid_type"},
		{"missing prompt", "/generate", `{}`, 400, "empty_prompt"},
		{"empty prompt", "/generate", `{"prompt": "   "}`, 400, "empty_prompt"},
		{"unknown model", "/generate", `{"prompt": "x", "model": "nope"}`, 404, "model_not_found"},
		{"unknown adapter", "/generate", `{"prompt": "x", "adapter": "nope"}`, 404, "adapter_not_found"},
		{"path traversal in model", "/generate", `{"prompt": "x", "model": "../tiny"}`, 400, "invalid_request"},
		{"path traversal in adapter", "/generate", `{"prompt": "x", "adapter": "../../etc/passwd"}`, 400, "invalid_request"},
		{"absolute path as model", "/generate", `{"prompt": "x", "model": "/etc/passwd"}`, 400, "invalid_request"},
		{"max_tokens zero", "/generate", `{"prompt": "x", "max_tokens": 0}`, 400, "max_tokens_out_of_range"},
		{"max_tokens negative", "/generate", `{"prompt": "x", "max_tokens": -5}`, 400, "max_tokens_out_of_range"},
		{"max_tokens over the cap", "/generate", `{"prompt": "x", "max_tokens": 1001}`, 400, "max_tokens_out_of_range"},
		{"max_tokens over the model context", "/generate", `{"prompt": "x", "max_tokens": 600}`, 400, "max_tokens_out_of_range"},
		{"temperature out of range", "/generate", `{"prompt": "x", "temperature": -1}`, 400, "invalid_request"},
		{"top_p zero", "/generate", `{"prompt": "x", "top_p": 0}`, 400, "invalid_request"},
		{"empty stop", "/generate", `{"prompt": "x", "stop": [""]}`, 400, "invalid_request"},
		{"stop of wrong type", "/generate", `{"prompt": "x", "stop": 3}`, 400, "invalid_json"},
		{"prompt longer than the context", "/generate", `{"prompt": "` + long[:3500] + `", "max_tokens": 5}`, 400, "prompt_too_long"},
		{"oversized body", "/generate", `{"prompt": "` + long + `"}`, 413, "body_too_large"},
		{"streamed prompt too long", "/generate", `{"prompt": "` + long[:3500] + `", "stream": true}`, 400, "prompt_too_long"},
		{"classify without text", "/classify", `{"labels": ["a"]}`, 400, "empty_text"},
		{"classify duplicate labels", "/classify", `{"text": "x", "labels": ["a", "a"]}`, 400, "invalid_request"},
		{"classify template without text", "/classify", `{"text": "x", "labels": ["a"], "template": "none"}`, 400, "invalid_request"},
		{"completions without prompt", "/v1/completions", `{"model": "tiny"}`, 400, "empty_prompt"},
		{"completions with n=2", "/v1/completions", `{"model": "tiny", "prompt": "x", "n": 2}`, 400, "invalid_request"},
		{"chat without messages", "/v1/chat/completions", `{"model": "tiny", "messages": []}`, 400, "empty_prompt"},
		{"chat with an image part", "/v1/chat/completions", `{"model": "tiny", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}`, 400, "unsupported_content"},
		{"chat with unknown model", "/v1/chat/completions", `{"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]}`, 404, "model_not_found"},
		{"unknown route", "/v2/nothing", `{}`, 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := c.do(http.MethodPost, tc.path, tc.body)
			var e struct {
				Error struct{ Code, Message, Type string }
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not a JSON error (%v): %s", err, body)
			}
			if status != tc.status || e.Error.Code != tc.code || e.Error.Message == "" || e.Error.Type == "" {
				t.Fatalf("got %d %s, want %d %s", status, body, tc.status, tc.code)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
		})
	}
	// After all that, the server still serves, with no context leaked:
	// the only context of the model is free again.
	var r generateResponse
	if st := c.postJSON("/generate", map[string]any{"prompt": "Once", "max_tokens": 2}, &r); st != 200 || r.Usage.CompletionTokens != 2 {
		t.Fatalf("server broken after bad input: %d %+v", st, r)
	}
	if c.metric("codeloom_requests_in_flight") != 0 || c.metric("codeloom_queue_depth") != 0 {
		t.Fatal("a request still holds a context")
	}
}
