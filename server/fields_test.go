package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/server"
)

type apiErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// TestRefusedFieldsNameTheField: a field the server does not implement,
// known to OpenAI or not, is answered 400 with its name, on every route,
// before any model is loaded.
func TestRefusedFieldsNameTheField(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	cases := []struct {
		name, path, body, code, field string
	}{
		{"tools on completions", "/v1/completions", `{"prompt":"a","tools":[]}`, "unsupported_field", "tools"},
		{"tools on chat", "/v1/chat/completions", `{"messages":[{"role":"user","content":"a"}],"tools":[]}`, "unsupported_field", "tools"},
		{"tool_choice on chat", "/v1/chat/completions", `{"messages":[{"role":"user","content":"a"}],"tool_choice":"auto"}`, "unsupported_field", "tool_choice"},
		{"misspelt field", "/generate", `{"prompt":"a","max_token":3}`, "unsupported_field", "max_token"},
		{"best_of", "/v1/completions", `{"prompt":"a","best_of":2}`, "unsupported_field", "best_of"},
		{"message name", "/v1/chat/completions", `{"messages":[{"role":"user","content":"a","name":"bob"}]}`, "unsupported_field", "name"},
		{"image part", "/v1/chat/completions", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`, "unsupported_content", "image_url"},
		{"logprobs with stream", "/v1/completions", `{"prompt":"a","logprobs":2,"stream":true}`, "unsupported_field", "logprobs"},
		{"dimensions", "/v1/embeddings", `{"input":"a","dimensions":8}`, "unsupported_field", "dimensions"},
		{"input_extra", "/infill", `{"input_prefix":"a","input_suffix":"b","input_extra":[]}`, "unsupported_field", "input_extra"},
		{"schema keyword", "/generate", `{"prompt":"a","json_schema":{"type":"string","pattern":"x+"}}`, "unsupported_schema", "pattern"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := c.do(http.MethodPost, tc.path, tc.body)
			var e apiErrorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("%d %s", status, body)
			}
			if status != http.StatusBadRequest || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.field) {
				t.Errorf("got %d %s %q, want 400 %s naming %q", status, e.Error.Code, e.Error.Message, tc.code, tc.field)
			}
		})
	}
}

// TestAcceptedOpenAIFields: fields that need no work (user, n=1,
// stream_options) and the implemented penalties and bias are accepted.
func TestAcceptedOpenAIFields(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	body := map[string]any{"prompt": "Once", "max_tokens": 3, "user": "u1", "n": 1, "presence_penalty": 0.5,
		"frequency_penalty": 0.5, "logit_bias": map[string]float64{"5": -100}, "temperature": 0}
	var out struct {
		Choices []struct{ Text string } `json:"choices"`
	}
	if status := c.postJSON("/v1/completions", body, &out); status != http.StatusOK || len(out.Choices) != 1 {
		t.Fatalf("status %d, %+v", status, out)
	}
}
