package server

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// openaiDefaults follow OpenAI's documented defaults (temperature 1,
// top_p 1, no other truncation) with a finite max_tokens.
var openaiDefaults = defaults{
	SampleOptions: llm.SampleOptions{Temperature: 1, TopP: 1, RepeatPenalty: 1, Seed: -1},
	MaxTokens:     256,
}

type openaiRequest struct {
	Model               string `json:"model"`
	N                   *int   `json:"n"`
	MaxCompletionTokens *int   `json:"max_completion_tokens"` // chat's newer name for max_tokens
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	samplingRequest
}

func (r *openaiRequest) parse(maxTokens int) (llm.GenerateOptions, error) {
	if r.N != nil && *r.N != 1 {
		return llm.GenerateOptions{}, badRequest("n=%d: only one choice per request is supported", *r.N)
	}
	if r.MaxTokens == nil {
		r.MaxTokens = r.MaxCompletionTokens
	}
	return r.options(openaiDefaults, maxTokens)
}

type completionRequest struct {
	Prompt stringList `json:"prompt"`
	openaiRequest
}

type chatRequest struct {
	Messages []chatMessage `json:"messages"`
	openaiRequest
}

// chatMessage accepts content as a string or as an array of text parts.
type chatMessage struct {
	Role    string      `json:"role"`
	Content chatContent `json:"content"`
}

type chatContent string

func (c *chatContent) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*c = chatContent(s)
		return nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &parts); err != nil {
		return errors.New("content: want a string or an array of text parts")
	}
	var sb strings.Builder
	for _, p := range parts {
		if p.Type != "text" {
			return errors.New("content: only text parts are supported, got " + p.Type)
		}
		sb.WriteString(p.Text)
	}
	*c = chatContent(sb.String())
	return nil
}

func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b)
}

// openaiModels serves GET /v1/models: base models and adapters alike, since
// "model" may name either.
func (s *Server) openaiModels(c *gin.Context) {
	cat, err := s.store.catalog()
	if err != nil {
		writeError(c, s.storeError(err))
		return
	}
	data := []gin.H{}
	for _, e := range cat.Sorted() {
		created := int64(0) // the file's time: when the model or adapter was made
		if fi, err := os.Stat(e.Path); err == nil {
			created = fi.ModTime().Unix()
		}
		data = append(data, gin.H{"id": e.Name, "object": "model", "created": created, "owned_by": "codeloom"})
	}
	c.JSON(http.StatusOK, gin.H{"object": "list", "data": data})
}

// openaiCompletions serves POST /v1/completions.
func (s *Server) openaiCompletions(c *gin.Context) {
	var req completionRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	opt, err := req.parse(s.opt.MaxTokens)
	if err == nil && (len(req.Prompt) != 1 || strings.TrimSpace(req.Prompt[0]) == "") {
		err = errorf(http.StatusBadRequest, "empty_prompt", "prompt must be one non-empty string")
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.openaiRun(c, &req.openaiRequest, opt, "text_completion", "cmpl-", func(*inference) (string, error) { return req.Prompt[0], nil })
}

// openaiChat serves POST /v1/chat/completions with the model's chat template.
func (s *Server) openaiChat(c *gin.Context) {
	var req chatRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	opt, err := req.parse(s.opt.MaxTokens)
	if err == nil && len(req.Messages) == 0 {
		err = errorf(http.StatusBadRequest, "empty_prompt", "messages must not be empty")
	}
	if err != nil {
		writeError(c, err)
		return
	}
	msgs := make([]llm.ChatMessage, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = llm.ChatMessage{Role: m.Role, Content: string(m.Content)}
	}
	s.openaiRun(c, &req.openaiRequest, opt, "chat.completion", "chatcmpl-", func(in *inference) (string, error) {
		p, err := in.lm.model.ApplyChatTemplate(msgs, true)
		if err != nil {
			return "", badRequest("apply chat template: %v", err)
		}
		return p, nil
	})
}

// openaiRun is the part both OpenAI generating routes share: claim a
// model, build the prompt, generate, and answer as one JSON object or as
// a stream of chunks ending with "data: [DONE]".
func (s *Server) openaiRun(c *gin.Context, req *openaiRequest, opt llm.GenerateOptions, object, idPrefix string,
	prompt func(*inference) (string, error)) {
	ctx, cancel := s.requestContext(c.Request.Context())
	defer cancel()
	in, err := s.begin(ctx, req.Model, "", 1)
	if err != nil {
		writeError(c, err)
		return
	}
	defer in.end()
	text, err := prompt(in)
	if err != nil {
		writeError(c, err)
		return
	}
	name := in.model.Name
	if in.adapter != nil {
		name = in.adapter.Name
	}
	ch := chunker{id: newID(idPrefix), object: object, model: name, created: time.Now().Unix(), chat: object == "chat.completion"}
	deadline, _ := ctx.Deadline()
	stream := &sse{c: c, deadline: deadline, end: "[DONE]"}
	if req.Stream {
		opt.OnPiece = func(piece string) error {
			t, err := ch.pieceTemplate()
			if err != nil {
				return err
			}
			return stream.piece("", t, piece)
		}
	}
	g, err := in.generate(ctx, text, opt)
	if err != nil {
		stream.fail("", err)
		return
	}
	if !req.Stream {
		c.JSON(http.StatusOK, ch.final(g))
		return
	}
	_ = stream.send("", ch.finish(g.FinishReason))
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		_ = stream.send("", ch.usage(g))
	}
	_ = stream.send("", "[DONE]")
}
