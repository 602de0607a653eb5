package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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
	// User names the end user for OpenAI's abuse monitoring; accepted so
	// that clients which always send it work, with nothing to change here.
	User           string          `json:"user"`
	ResponseFormat *responseFormat `json:"response_format"`
	samplingRequest
}

// responseFormat is OpenAI's response_format: "text", "json_object" (any
// JSON object) or "json_schema" (JSON matching the schema), enforced by
// the engine's grammar sampler.
type responseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Schema      json.RawMessage `json:"schema"`
		Strict      *bool           `json:"strict"` // the schema is always followed strictly
	} `json:"json_schema"`
}

func (f *responseFormat) grammar() (string, error) {
	if f == nil {
		return "", nil
	}
	switch f.Type {
	case "text", "":
		return "", nil
	case "json_object":
		return jsonGrammar, nil
	case "json_schema":
		if f.JSONSchema == nil || f.JSONSchema.Schema == nil {
			return "", badRequest("response_format json_schema needs json_schema.schema")
		}
		return schemaGrammar(f.JSONSchema.Schema)
	}
	return "", badRequest("response_format type %q: want text, json_object or json_schema", f.Type)
}

func (r *openaiRequest) parse(maxTokens int) (llm.GenerateOptions, error) {
	if r.N != nil && *r.N != 1 {
		return llm.GenerateOptions{}, badRequest("n=%d: only one choice per request is supported", *r.N)
	}
	if r.MaxTokens == nil {
		r.MaxTokens = r.MaxCompletionTokens
	}
	opt, err := r.options(openaiDefaults, maxTokens)
	if err != nil {
		return opt, err
	}
	opt.Grammar, err = r.ResponseFormat.grammar()
	return opt, err
}

// setLogProbs turns on log-probabilities with top alternatives, which
// streamed responses do not carry.
func (r *openaiRequest) setLogProbs(opt *llm.GenerateOptions, field string, top int) error {
	if r.Stream {
		return errorf(http.StatusBadRequest, "unsupported_field", "field %q is not supported with \"stream\": true", field)
	}
	if top < 0 || top > llm.MaxTopLogProbs {
		return badRequest("%s %d out of range [0, %d]", field, top, llm.MaxTopLogProbs)
	}
	opt.LogProbs, opt.TopLogProbs = true, top
	return nil
}

type completionRequest struct {
	Prompt stringList `json:"prompt"`
	// Suffix is the text after the completion: with it the completion is
	// filled in between prompt and suffix with the model's FIM tokens.
	Suffix *string `json:"suffix"`
	// Echo puts the prompt before the completion in each choice's text.
	Echo bool `json:"echo"`
	// Logprobs asks for each completion token's log-probability and this
	// many alternatives.
	Logprobs *int `json:"logprobs"`
	openaiRequest
}

type chatRequest struct {
	Messages    []chatMessage `json:"messages"`
	Logprobs    bool          `json:"logprobs"`
	TopLogprobs *int          `json:"top_logprobs"`
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
	// Parts of other types carry other fields (image_url, input_audio):
	// only their type matters for the answer.
	if err := json.Unmarshal(b, &parts); err != nil {
		return badRequest("content: want a string or an array of content parts")
	}
	var sb strings.Builder
	for _, p := range parts {
		if p.Type != "text" {
			return errorf(http.StatusBadRequest, "unsupported_content", "content part of type %q is not supported: the models served read text only", p.Type)
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
		data = append(data, openaiModelObject(e))
	}
	c.JSON(http.StatusOK, gin.H{"object": "list", "data": data})
}

// openaiModel serves GET /v1/models/{id}, OpenAI's models.retrieve.
func (s *Server) openaiModel(c *gin.Context) {
	cat, err := s.store.catalog()
	if err != nil {
		writeError(c, s.storeError(err))
		return
	}
	e := cat[c.Param("id")]
	if e == nil {
		writeError(c, errorf(http.StatusNotFound, "model_not_found", "model %q not found in the model store", c.Param("id")))
		return
	}
	c.JSON(http.StatusOK, openaiModelObject(e))
}

func openaiModelObject(e *Entry) gin.H {
	created := int64(0) // the file's time: when the model or adapter was made
	if fi, err := os.Stat(e.Path); err == nil {
		created = fi.ModTime().Unix()
	}
	return gin.H{"id": e.Name, "object": "model", "created": created, "owned_by": "codeloom"}
}

// openaiCompletions serves POST /v1/completions: one choice per prompt,
// generated in turn on one context.
func (s *Server) openaiCompletions(c *gin.Context) {
	var req completionRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	opt, err := req.parse(s.opt.MaxTokens)
	if err == nil && req.Logprobs != nil {
		err = req.setLogProbs(&opt, "logprobs", *req.Logprobs)
	}
	if err == nil && len(req.Prompt) == 0 {
		err = errorf(http.StatusBadRequest, "empty_prompt", "prompt must be a non-empty string or array of strings")
	}
	for i, p := range req.Prompt {
		if err == nil && strings.TrimSpace(p) == "" {
			err = errorf(http.StatusBadRequest, "empty_prompt", "prompt %d is empty", i)
		}
	}
	if err != nil {
		writeError(c, err)
		return
	}
	run := openaiRun{req: &req.openaiRequest, opt: opt, object: "text_completion", idPrefix: "cmpl-", echo: req.Echo}
	for _, p := range req.Prompt {
		run.prompts = append(run.prompts, func(in *inference, ctx context.Context, opt llm.GenerateOptions) (string, *llm.Generation, error) {
			if req.Echo && opt.OnPiece != nil {
				if err := opt.OnPiece(p); err != nil { // the stream's first piece
					return p, nil, err
				}
			}
			if req.Suffix != nil {
				g, err := in.infill(ctx, p, *req.Suffix, opt)
				return p, g, err
			}
			g, err := in.generate(ctx, p, opt)
			return p, g, err
		})
	}
	s.openaiServe(c, &run)
}

// openaiChat serves POST /v1/chat/completions with the model's chat template.
func (s *Server) openaiChat(c *gin.Context) {
	var req chatRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	opt, err := req.parse(s.opt.MaxTokens)
	switch {
	case err != nil:
	case len(req.Messages) == 0:
		err = errorf(http.StatusBadRequest, "empty_prompt", "messages must not be empty")
	case req.TopLogprobs != nil && !req.Logprobs:
		err = badRequest("top_logprobs needs \"logprobs\": true")
	case req.Logprobs:
		top := 0
		if req.TopLogprobs != nil {
			top = *req.TopLogprobs
		}
		err = req.setLogProbs(&opt, "logprobs", top)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	msgs := make([]llm.ChatMessage, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = llm.ChatMessage{Role: m.Role, Content: string(m.Content)}
	}
	run := openaiRun{req: &req.openaiRequest, opt: opt, object: "chat.completion", idPrefix: "chatcmpl-"}
	run.prompts = append(run.prompts, func(in *inference, ctx context.Context, opt llm.GenerateOptions) (string, *llm.Generation, error) {
		var name string // a model's defaults.json may name a built-in template
		if d := in.modelDefaults(); d != nil {
			name = d.ChatTemplate
		}
		p, err := in.lm.model.ApplyNamedChatTemplate(name, msgs, true)
		if err != nil {
			return "", nil, badRequest("apply chat template: %v", err)
		}
		g, err := in.generate(ctx, p, opt)
		return p, g, err
	})
	s.openaiServe(c, &run)
}

// openaiRun is one OpenAI generating request: a generation per prompt
// (each returns its prompt text and generation), answered together.
type openaiRun struct {
	req              *openaiRequest
	opt              llm.GenerateOptions
	object, idPrefix string
	echo             bool
	prompts          []func(*inference, context.Context, llm.GenerateOptions) (string, *llm.Generation, error)
}

// openaiServe is the part both OpenAI generating routes share: claim a
// model, generate for each prompt, and answer as one JSON object or as a
// stream of chunks (each prompt's in turn) ending with "data: [DONE]".
func (s *Server) openaiServe(c *gin.Context, run *openaiRun) {
	ctx, cancel := s.requestContext(c.Request.Context())
	defer cancel()
	in, err := s.begin(ctx, run.req.Model, "", 1)
	if err != nil {
		writeError(c, err)
		return
	}
	defer in.end()
	run.req.applyModelDefaults(in, &run.opt)
	name := in.model.Name
	if in.adapter != nil {
		name = in.adapter.Name
	}
	ch := chunker{id: newID(run.idPrefix), object: run.object, model: name, created: time.Now().Unix(), chat: run.object == "chat.completion"}
	deadline, _ := ctx.Deadline()
	stream := &sse{c: c, deadline: deadline, end: "[DONE]"}
	var choices []gin.H
	var total usage
	for i, gen := range run.prompts {
		ch.next(i)
		opt := run.opt
		if run.req.Stream {
			opt.OnPiece = func(piece string) error {
				t, err := ch.pieceTemplate()
				if err != nil {
					return err
				}
				return stream.piece("", t, piece)
			}
		}
		prompt, g, err := gen(in, ctx, opt)
		if err != nil {
			stream.fail("", err)
			return
		}
		u := usageOf(g)
		total = usage{total.PromptTokens + u.PromptTokens, total.CompletionTokens + u.CompletionTokens, total.TotalTokens + u.TotalTokens}
		if run.req.Stream {
			_ = stream.send("", ch.finish(g.FinishReason))
			continue
		}
		text := g.Text
		if run.echo {
			text = prompt + text
		}
		choices = append(choices, ch.choiceOf(text, g, len(text)-len(g.Text)))
	}
	if !run.req.Stream {
		c.JSON(http.StatusOK, ch.final(choices, total))
		return
	}
	if run.req.StreamOptions != nil && run.req.StreamOptions.IncludeUsage {
		_ = stream.send("", ch.usage(total))
	}
	_ = stream.send("", "[DONE]")
}
