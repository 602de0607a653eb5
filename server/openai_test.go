package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/server"
)

// The shapes below follow OpenAI's API reference for completions and chat
// completions, streamed and not.
type openaiUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type openaiChoice struct {
	Index        *int    `json:"index"`
	Text         *string `json:"text"`
	Message      *struct{ Role, Content string }
	Delta        *struct{ Role, Content *string }
	FinishReason *string         `json:"finish_reason"`
	Logprobs     json.RawMessage `json:"logprobs"`
}

type openaiObject struct {
	ID      string         `json:"id"`
	Object  string         `json:"object"`
	Created int64          `json:"created"`
	Model   string         `json:"model"`
	Choices []openaiChoice `json:"choices"`
	Usage   *openaiUsage   `json:"usage"`
}

func TestOpenAICompletions(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	var r openaiObject
	st := c.postJSON("/v1/completions", map[string]any{"model": "tiny", "prompt": "Once upon a time", "max_tokens": 10,
		"temperature": 0, "seed": 3, "stop": "zzz", "logprobs": nil, "user": "u"}, &r)
	if st != 200 || !strings.HasPrefix(r.ID, "cmpl-") || r.Object != "text_completion" || r.Created == 0 || r.Model != "tiny" ||
		len(r.Choices) != 1 || r.Choices[0].Text == nil || *r.Choices[0].Index != 0 || *r.Choices[0].FinishReason != "length" ||
		string(r.Choices[0].Logprobs) != "null" || r.Usage == nil || r.Usage.CompletionTokens != 10 ||
		r.Usage.TotalTokens != r.Usage.PromptTokens+10 {
		t.Fatalf("%d %+v", st, r)
	}
	var g generateResponse
	c.postJSON("/generate", map[string]any{"prompt": "Once upon a time", "max_tokens": 10, "temperature": 0}, &g)
	if *r.Choices[0].Text != g.GeneratedText {
		t.Fatalf("completion %q differs from /generate %q", *r.Choices[0].Text, g.GeneratedText)
	}
	// A one-element prompt array is the same prompt.
	var arr openaiObject
	c.postJSON("/v1/completions", map[string]any{"model": "tiny", "prompt": []string{"Once upon a time"}, "max_tokens": 10, "temperature": 0}, &arr)
	if *arr.Choices[0].Text != g.GeneratedText {
		t.Fatalf("array prompt gave %q", *arr.Choices[0].Text)
	}

	chunks := streamOpenAI(t, ts.URL+"/v1/completions", `{"model":"tiny","prompt":"Once upon a time","max_tokens":10,"temperature":0,"stream":true}`)
	var text strings.Builder
	for i, ch := range chunks {
		if ch.ID != chunks[0].ID || ch.Object != "text_completion" || len(ch.Choices) != 1 || ch.Usage != nil {
			t.Fatalf("chunk %d: %+v", i, ch)
		}
		text.WriteString(*ch.Choices[0].Text)
		last := i == len(chunks)-1
		if (ch.Choices[0].FinishReason != nil) != last {
			t.Fatalf("chunk %d finish_reason %v", i, ch.Choices[0].FinishReason)
		}
	}
	if text.String() != g.GeneratedText || *chunks[len(chunks)-1].Choices[0].FinishReason != "length" {
		t.Fatalf("streamed %q", text.String())
	}
}

func TestOpenAIChat(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	msgs := []map[string]any{{"role": "system", "content": "Tell stories."},
		{"role": "user", "content": []map[string]string{{"type": "text", "text": "A story "}, {"type": "text", "text": "please"}}}}
	var r openaiObject
	st := c.postJSON("/v1/chat/completions", map[string]any{"model": "tiny", "messages": msgs, "max_completion_tokens": 8, "temperature": 0}, &r)
	if st != 200 || !strings.HasPrefix(r.ID, "chatcmpl-") || r.Object != "chat.completion" || len(r.Choices) != 1 ||
		r.Choices[0].Message == nil || r.Choices[0].Message.Role != "assistant" || r.Choices[0].Message.Content == "" ||
		*r.Choices[0].FinishReason != "length" || r.Usage == nil || r.Usage.CompletionTokens != 8 {
		t.Fatalf("%d %+v", st, r)
	}
	// The template wraps the messages: the prompt holds more tokens than their words.
	if r.Usage.PromptTokens < 10 {
		t.Fatalf("prompt of %d tokens: chat template not applied", r.Usage.PromptTokens)
	}

	body, _ := json.Marshal(map[string]any{"model": "tiny", "messages": msgs, "max_tokens": 8, "temperature": 0, "stream": true,
		"stream_options": map[string]bool{"include_usage": true}})
	chunks := streamOpenAI(t, ts.URL+"/v1/chat/completions", string(body))
	var text strings.Builder
	for i, ch := range chunks[:len(chunks)-1] {
		d := ch.Choices[0].Delta
		if ch.Object != "chat.completion.chunk" || d == nil || (i == 0) != (d.Role != nil) {
			t.Fatalf("chunk %d: %+v", i, ch)
		}
		if d.Content != nil {
			text.WriteString(*d.Content)
		}
	}
	usage := chunks[len(chunks)-1]
	if len(usage.Choices) != 0 || usage.Usage == nil || usage.Usage.CompletionTokens != 8 {
		t.Fatalf("usage chunk %+v", usage)
	}
	if fin := chunks[len(chunks)-2].Choices[0].FinishReason; fin == nil || *fin != "length" || text.String() != r.Choices[0].Message.Content {
		t.Fatalf("streamed %q, want %q", text.String(), r.Choices[0].Message.Content)
	}
}

// streamOpenAI posts body and returns the chunks of an OpenAI stream,
// checking that it ends with "data: [DONE]".
func streamOpenAI(t *testing.T, url, body string) []openaiObject {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := readSSE(t, resp.Body)
	if len(events) < 3 || events[len(events)-1].data != "[DONE]" {
		t.Fatalf("stream does not end with [DONE]: %+v", events)
	}
	var out []openaiObject
	for _, ev := range events[:len(events)-1] {
		if ev.name != "" {
			t.Fatalf("OpenAI streams carry no event names: %+v", ev)
		}
		var o openaiObject
		if err := json.Unmarshal([]byte(ev.data), &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}
