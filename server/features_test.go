package server_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/server"
)

type genResp struct {
	GeneratedText string `json:"generated_text"`
	FinishReason  string `json:"finish_reason"`
	Usage         struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
	Probs []struct {
		ID      int32   `json:"id"`
		Token   string  `json:"token"`
		LogProb float64 `json:"logprob"`
		Top     []struct {
			ID      int32   `json:"id"`
			LogProb float64 `json:"logprob"`
		} `json:"top_logprobs"`
	} `json:"completion_probabilities"`
	Error *struct{ Code, Message string } `json:"error"`
}

func (c client) generate(body map[string]any) (int, genResp) {
	c.t.Helper()
	var out genResp
	status := c.postJSON("/generate", body, &out)
	return status, out
}

// TestGrammarConstrainsOutput: with a grammar that allows only "yes" or
// "no", the output is exactly one of them and ends there.
func TestGrammarConstrainsOutput(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	for _, prompt := range []string{"Once upon a time", "The dog said"} {
		status, out := c.generate(map[string]any{"prompt": prompt, "grammar": `root ::= "yes" | "no"`, "max_tokens": 20})
		if status != http.StatusOK || (out.GeneratedText != "yes" && out.GeneratedText != "no") || out.FinishReason != "stop" {
			t.Errorf("%q: %d %+v, want yes or no", prompt, status, out)
		}
	}
	status, out := c.generate(map[string]any{"prompt": "a", "grammar": `root ::= ( "yes"`})
	if status != http.StatusBadRequest || out.Error == nil || out.Error.Code != "invalid_request" {
		t.Errorf("unparsable grammar: %d %+v, want 400 invalid_request", status, out)
	}
}

// TestJSONSchemaOutput: a JSON schema on /generate and as chat's
// response_format yields JSON that parses and matches it.
func TestJSONSchemaOutput(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	schema := map[string]any{"type": "object", "properties": map[string]any{
		"ok":    map[string]any{"type": "boolean"},
		"color": map[string]any{"enum": []string{"red", "green"}},
		"n":     map[string]any{"type": "integer"},
	}, "required": []string{"ok", "color", "n"}}
	check := func(where, text string) {
		var v struct {
			OK    *bool   `json:"ok"`
			Color *string `json:"color"`
			N     *int    `json:"n"`
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil || v.OK == nil || v.Color == nil || v.N == nil || (*v.Color != "red" && *v.Color != "green") {
			t.Errorf("%s: %q does not match the schema (%v)", where, text, err)
		}
	}
	status, out := c.generate(map[string]any{"prompt": "Once upon a time", "json_schema": schema, "max_tokens": 200, "temperature": 0.8, "seed": 3})
	if status != http.StatusOK || out.FinishReason != "stop" {
		t.Fatalf("/generate: %d %+v", status, out)
	}
	check("/generate", out.GeneratedText)

	var chat struct {
		Choices []struct {
			Message      struct{ Content string } `json:"message"`
			FinishReason string                   `json:"finish_reason"`
		} `json:"choices"`
	}
	body := map[string]any{"messages": []map[string]string{{"role": "user", "content": "hi"}}, "max_tokens": 200,
		"response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "x", "schema": schema, "strict": true}}}
	if status := c.postJSON("/v1/chat/completions", body, &chat); status != http.StatusOK || len(chat.Choices) != 1 {
		t.Fatalf("chat: %d %+v", status, chat)
	}
	check("chat", chat.Choices[0].Message.Content)
}

// TestLogitBiasBans: the token greedy decoding picks most often never
// appears once its bias is -100.
func TestLogitBiasBans(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	req := map[string]any{"prompt": "Once upon a time", "max_tokens": 30, "n_probs": 1, "temperature": 0, "repeat_penalty": 1}
	_, before := c.generate(req)
	count := map[int32]int{}
	for _, p := range before.Probs {
		count[p.ID]++
	}
	var banned int32 = -1
	for id, n := range count {
		if banned < 0 || n > count[banned] {
			banned = id
		}
	}
	if banned < 0 {
		t.Fatalf("no tokens generated: %+v", before)
	}
	req["logit_bias"] = map[string]float64{jsonInt(banned): -100}
	status, after := c.generate(req)
	if status != http.StatusOK || len(after.Probs) == 0 {
		t.Fatalf("%d %+v", status, after)
	}
	for _, p := range after.Probs {
		if p.ID == banned {
			t.Fatalf("banned token %d generated: %q", banned, after.GeneratedText)
		}
	}
	req["logit_bias"] = map[string]float64{"100000": 1}
	if status, out := c.generate(req); status != http.StatusBadRequest {
		t.Errorf("bias on a token outside the vocabulary: %d %+v, want 400", status, out)
	}
}

func jsonInt(i int32) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestPenaltiesChangeGreedyOutput: frequency and presence penalties change
// what greedy decoding picks.
func TestPenaltiesChangeGreedyOutput(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	base := map[string]any{"prompt": "Once upon a time", "max_tokens": 40, "temperature": 0, "repeat_penalty": 1}
	_, plain := c.generate(base)
	for _, field := range []string{"frequency_penalty", "presence_penalty"} {
		req := maps(base, field, 2.0)
		status, out := c.generate(req)
		if status != http.StatusOK || out.GeneratedText == plain.GeneratedText {
			t.Errorf("%s 2: %d %q, same as without: %q", field, status, out.GeneratedText, plain.GeneratedText)
		}
	}
	if status, _ := c.generate(maps(base, "frequency_penalty", 3.0)); status != http.StatusBadRequest {
		t.Errorf("frequency_penalty 3: %d, want 400", status)
	}
}

func maps(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for kk, vv := range m {
		if kk != k {
			out[kk] = vv
		}
	}
	return out
}

// TestLogProbs: one entry per completion token, each <= 0, with the asked
// number of alternatives sorted most likely first; the sampled token's
// log-probability under greedy decoding is the top one's.
func TestLogProbs(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	status, out := c.generate(map[string]any{"prompt": "Once upon a time", "max_tokens": 12, "n_probs": 3, "temperature": 0, "repeat_penalty": 1})
	if status != http.StatusOK || len(out.Probs) != out.Usage.CompletionTokens || len(out.Probs) == 0 {
		t.Fatalf("%d: %d entries for %d tokens", status, len(out.Probs), out.Usage.CompletionTokens)
	}
	for _, p := range out.Probs {
		if p.LogProb > 0 || len(p.Top) != 3 || p.Top[0].ID != p.ID || p.Top[0].LogProb != p.LogProb ||
			p.Top[1].LogProb > p.Top[0].LogProb || p.Top[2].LogProb > p.Top[1].LogProb {
			t.Fatalf("entry %+v", p)
		}
	}

	var cmpl struct {
		Choices []struct {
			Text     string
			Logprobs struct {
				Tokens        []string             `json:"tokens"`
				TokenLogprobs []float64            `json:"token_logprobs"`
				TopLogprobs   []map[string]float64 `json:"top_logprobs"`
				TextOffset    []int                `json:"text_offset"`
			}
		}
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	prompt := "Once upon a time"
	if status := c.postJSON("/v1/completions", map[string]any{"prompt": prompt, "max_tokens": 10, "logprobs": 2, "echo": true}, &cmpl); status != http.StatusOK {
		t.Fatalf("completions: %d", status)
	}
	lp := cmpl.Choices[0].Logprobs
	if len(lp.TokenLogprobs) != cmpl.Usage.CompletionTokens || len(lp.Tokens) != len(lp.TokenLogprobs) || len(lp.TopLogprobs) != len(lp.Tokens) {
		t.Fatalf("completions logprobs %+v for %d tokens", lp, cmpl.Usage.CompletionTokens)
	}
	if !strings.HasPrefix(cmpl.Choices[0].Text, prompt) || lp.TextOffset[0] != len(prompt) {
		t.Errorf("echo: text %q, offsets %v", cmpl.Choices[0].Text, lp.TextOffset)
	}
	for i, v := range lp.TokenLogprobs {
		if v > 0 || math.IsNaN(v) || len(lp.TopLogprobs[i]) > 2 {
			t.Errorf("token %d: %v %v", i, v, lp.TopLogprobs[i])
		}
	}

	var chat struct {
		Choices []struct {
			Logprobs struct {
				Content []struct {
					Token       string  `json:"token"`
					Logprob     float64 `json:"logprob"`
					Bytes       []int   `json:"bytes"`
					TopLogprobs []struct {
						Logprob float64 `json:"logprob"`
					} `json:"top_logprobs"`
				} `json:"content"`
			} `json:"logprobs"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	body := map[string]any{"messages": []map[string]string{{"role": "user", "content": "hi"}}, "max_tokens": 8, "logprobs": true, "top_logprobs": 4}
	if status := c.postJSON("/v1/chat/completions", body, &chat); status != http.StatusOK {
		t.Fatalf("chat: %d", status)
	}
	content := chat.Choices[0].Logprobs.Content
	if len(content) != chat.Usage.CompletionTokens {
		t.Fatalf("chat: %d entries for %d tokens", len(content), chat.Usage.CompletionTokens)
	}
	for _, e := range content {
		if e.Logprob > 0 || len(e.TopLogprobs) != 4 || len(e.Bytes) != len(e.Token) && !strings.ContainsRune(e.Token, '\uFFFD') {
			t.Errorf("chat entry %+v", e)
		}
	}
}

// TestPromptArrays: an array of prompts gets one choice per prompt, in
// order, each the same as asking for it alone.
func TestPromptArrays(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	type resp struct {
		Choices []struct {
			Index int
			Text  string
		}
		Usage struct {
			PromptTokens int `json:"prompt_tokens"`
		}
	}
	prompts := []string{"Once upon a time", "The cat"}
	var both resp
	if status := c.postJSON("/v1/completions", map[string]any{"prompt": prompts, "max_tokens": 8, "temperature": 0}, &both); status != http.StatusOK || len(both.Choices) != 2 {
		t.Fatalf("%d %+v", status, both)
	}
	sum := 0
	for i, p := range prompts {
		var one resp
		c.postJSON("/v1/completions", map[string]any{"prompt": p, "max_tokens": 8, "temperature": 0}, &one)
		if both.Choices[i].Index != i || both.Choices[i].Text != one.Choices[0].Text {
			t.Errorf("choice %d: %+v, alone %q", i, both.Choices[i], one.Choices[0].Text)
		}
		sum += one.Usage.PromptTokens
	}
	if both.Usage.PromptTokens != sum {
		t.Errorf("prompt tokens %d, want %d", both.Usage.PromptTokens, sum)
	}

	// Streamed, each prompt's chunks carry its index and end with its
	// finish reason.
	status, _, body := c.do(http.MethodPost, "/v1/completions", `{"prompt":["a b","c d"],"max_tokens":4,"stream":true,"temperature":0}`)
	if status != http.StatusOK {
		t.Fatalf("stream: %d %s", status, body)
	}
	finished := map[int]bool{}
	for _, ev := range readSSE(t, strings.NewReader(string(body))) {
		if ev.data == "[DONE]" {
			continue
		}
		var ch struct {
			Choices []struct {
				Index        int
				FinishReason *string `json:"finish_reason"`
			}
		}
		if err := json.Unmarshal([]byte(ev.data), &ch); err != nil || len(ch.Choices) != 1 {
			t.Fatalf("chunk %s", ev.data)
		}
		if finished[ch.Choices[0].Index] || (ch.Choices[0].Index == 1 && !finished[0]) {
			t.Fatalf("chunk %s out of order", ev.data)
		}
		finished[ch.Choices[0].Index] = ch.Choices[0].FinishReason != nil
	}
	if !finished[0] || !finished[1] {
		t.Errorf("finished %v", finished)
	}
}

// TestEmbeddings: one vector per input, of the model's width, unit length,
// the same every time for the same text and different for another.
func TestEmbeddings(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	type resp struct {
		Object string
		Data   []struct {
			Index     int
			Embedding []float64
		}
		Usage struct {
			PromptTokens int `json:"prompt_tokens"`
		}
	}
	var a, b resp
	if status := c.postJSON("/v1/embeddings", map[string]any{"input": []string{"Once upon a time", "The cat sat"}}, &a); status != http.StatusOK || len(a.Data) != 2 {
		t.Fatalf("%d %+v", status, a)
	}
	if status := c.postJSON("/v1/embeddings", map[string]any{"input": "Once upon a time"}, &b); status != http.StatusOK || len(b.Data) != 1 {
		t.Fatalf("%d %+v", status, b)
	}
	const width = 64 // stories260K's embedding length
	for i, d := range a.Data {
		norm := 0.0
		for _, x := range d.Embedding {
			norm += x * x
		}
		if d.Index != i || len(d.Embedding) != width || math.Abs(norm-1) > 1e-4 {
			t.Errorf("embedding %d: index %d, width %d, norm² %g", i, d.Index, len(d.Embedding), norm)
		}
	}
	if !slices.Equal(a.Data[0].Embedding, b.Data[0].Embedding) || slices.Equal(a.Data[0].Embedding, a.Data[1].Embedding) {
		t.Errorf("embeddings not deterministic per text")
	}
	if a.Usage.PromptTokens <= b.Usage.PromptTokens {
		t.Errorf("usage %d vs %d", a.Usage.PromptTokens, b.Usage.PromptTokens)
	}
}

// TestTokenizeRoundTrip: /detokenize undoes /tokenize; pieces join to the
// text; ids outside the vocabulary are refused.
func TestTokenizeRoundTrip(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	text := "Once upon a time, Lily saw a big dog."
	var tok struct{ Tokens []int32 }
	if status := c.postJSON("/tokenize", map[string]any{"content": text}, &tok); status != http.StatusOK || len(tok.Tokens) < 5 {
		t.Fatalf("%d %+v", status, tok)
	}
	var withBOS struct{ Tokens []int32 }
	c.postJSON("/tokenize", map[string]any{"content": text, "add_special": true}, &withBOS)
	if len(withBOS.Tokens) != len(tok.Tokens)+1 || withBOS.Tokens[0] != 1 {
		t.Errorf("add_special: %v vs %v", withBOS.Tokens, tok.Tokens)
	}
	var detok struct{ Content string }
	if status := c.postJSON("/detokenize", map[string]any{"tokens": tok.Tokens}, &detok); status != http.StatusOK || strings.TrimSpace(detok.Content) != text {
		t.Errorf("round trip: %d %q", status, detok.Content)
	}
	var pieces struct {
		Tokens []struct {
			ID    int32
			Piece string
		}
	}
	c.postJSON("/tokenize", map[string]any{"content": text, "with_pieces": true}, &pieces)
	var sb strings.Builder
	for i, p := range pieces.Tokens {
		if p.ID != tok.Tokens[i] {
			t.Fatalf("with_pieces ids differ at %d", i)
		}
		sb.WriteString(p.Piece)
	}
	if strings.TrimSpace(strings.ReplaceAll(sb.String(), "▁", " ")) != text {
		t.Errorf("pieces join to %q", sb.String())
	}
	status, _, body := c.do(http.MethodPost, "/detokenize", `{"tokens":[1, 99999]}`)
	if status != http.StatusBadRequest || !strings.Contains(string(body), "invalid_token") {
		t.Errorf("bad id: %d %s", status, body)
	}
}

// TestModelRetrieve: GET /v1/models/{id} answers the model's object, and a
// 404 JSON error for a name not in the store.
func TestModelRetrieve(t *testing.T) {
	_, ts := start(t, server.Options{})
	c := client{t: t, base: ts.URL}
	status, _, body := c.do(http.MethodGet, "/v1/models/tiny", "")
	var m struct{ ID, Object string }
	if err := json.Unmarshal(body, &m); status != http.StatusOK || err != nil || m.ID != "tiny" || m.Object != "model" {
		t.Errorf("tiny: %d %s", status, body)
	}
	status, _, body = c.do(http.MethodGet, "/v1/models/nope", "")
	if status != http.StatusNotFound || !strings.Contains(string(body), "model_not_found") {
		t.Errorf("nope: %d %s", status, body)
	}
}

// writeFIMModel writes a tiny model whose vocabulary has the three FIM
// tokens as control tokens, and returns their ids.
func writeFIMModel(t *testing.T, path string) (pre, suf, mid int32) {
	t.Helper()
	tok := gguf.SPMByteTokenizer("<PRE>", "<SUF>", "<MID>")
	n := len(tok.Tokens)
	for i := n - 3; i < n; i++ {
		tok.Types[i] = gguf.TokenControl
	}
	tok.IDs["fim_pre"], tok.IDs["fim_suf"], tok.IDs["fim_mid"] = uint32(n-3), uint32(n-2), uint32(n-1)
	if err := gguf.WriteTinyLlama(context.Background(), path, gguf.TinyLlamaConfig{Tokenizer: tok}); err != nil {
		t.Fatal(err)
	}
	return int32(n - 3), int32(n - 2), int32(n - 1)
}

// TestInfill: /infill and completions' suffix lay the prompt out in FIM
// order on a model with FIM tokens, and a model without them is refused
// with a 400 that names it.
func TestInfill(t *testing.T) {
	dir := newStore(t)
	pre, suf, mid := writeFIMModel(t, filepath.Join(dir, "fim.gguf"))
	_, ts := start(t, server.Options{ModelsDir: dir, MaxLoaded: 2})
	c := client{t: t, base: ts.URL}

	tokens := func(text string) []int32 {
		var out struct{ Tokens []int32 }
		c.postJSON("/tokenize", map[string]any{"content": text, "model": "fim"}, &out)
		return out.Tokens
	}
	prefix, suffix := "def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n"
	want := append(append(append(append([]int32{1, pre}, tokens(prefix)...), suf), tokens(suffix)...), mid)

	// The exact layout is checked in bindings (TestInfillTokens); here the
	// routes must use it: the same number of prompt tokens.
	var got genResp
	if status := c.postJSON("/infill", map[string]any{"model": "fim", "input_prefix": prefix, "input_suffix": suffix, "max_tokens": 4, "temperature": 0}, &got); status != http.StatusOK {
		t.Fatalf("infill: %d %+v", status, got)
	}
	if got.Usage.PromptTokens != len(want) {
		t.Errorf("infill prompt: %d tokens, want %d (%v)", got.Usage.PromptTokens, len(want), want)
	}

	var cmpl struct {
		Choices []struct{ Text string }
		Usage   struct {
			PromptTokens int `json:"prompt_tokens"`
		}
	}
	if status := c.postJSON("/v1/completions", map[string]any{"model": "fim", "prompt": prefix, "suffix": suffix, "max_tokens": 4, "temperature": 0}, &cmpl); status != http.StatusOK || cmpl.Usage.PromptTokens != len(want) {
		t.Errorf("completions suffix: %d %+v", status, cmpl)
	}

	for _, path := range []string{"/infill", "/v1/completions"} {
		body := map[string]any{"model": "tiny", "input_prefix": "a", "input_suffix": "b"}
		if path == "/v1/completions" {
			body = map[string]any{"model": "tiny", "prompt": "a", "suffix": "b"}
		}
		var e apiErrorBody
		if status := c.postJSON(path, body, &e); status != http.StatusBadRequest || e.Error.Code != "fim_unsupported" || !strings.Contains(e.Error.Message, "tiny") {
			t.Errorf("%s without FIM tokens: %d %+v", path, status, e)
		}
	}
}
