package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// generateMaxTokens is /generate's max_tokens when absent.
const generateMaxTokens = 256

// generatePiece is the data of /generate's "piece" events: {"text":...}.
var generatePiece = &template{before: []byte(`{"text":`), after: []byte(`}`)}

type generateRequest struct {
	Prompt       *string  `json:"prompt"`
	Model        string   `json:"model"`
	Adapter      string   `json:"adapter"`
	AdapterScale *float32 `json:"adapter_scale"`
	MaxLength    *int     `json:"max_length"` // alias of max_tokens
	// Grammar (GBNF) or JSONSchema constrain the output, as llama-server's
	// fields of these names do.
	Grammar    string          `json:"grammar"`
	JSONSchema json.RawMessage `json:"json_schema"`
	// NProbs > 0 adds each generated token's log-probability and its
	// NProbs most likely alternatives.
	NProbs int `json:"n_probs"`
	samplingRequest
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func usageOf(g *llm.Generation) usage {
	return usage{g.PromptTokens, g.CompletionTokens, g.PromptTokens + g.CompletionTokens}
}

type timings struct {
	TTFTMs    float64 `json:"ttft_ms"`
	PromptTPS float64 `json:"prompt_tps"`
	GenTPS    float64 `json:"gen_tps"`
}

type generateResponse struct {
	GeneratedText string  `json:"generated_text"`
	Model         string  `json:"model"`
	Adapter       string  `json:"adapter"`
	FinishReason  string  `json:"finish_reason"`
	Usage         usage   `json:"usage"`
	Timings       timings `json:"timings"`
	// CompletionProbabilities is there when n_probs asked for it.
	CompletionProbabilities []tokenLogProb `json:"completion_probabilities,omitempty"`
}

// tokenLogProb is a token's entry in completion_probabilities, in
// llama-server's shape.
type tokenLogProb struct {
	tokenProb
	TopLogProbs []tokenProb `json:"top_logprobs"`
}

type tokenProb struct {
	ID      int32   `json:"id"`
	Token   string  `json:"token"`
	LogProb float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"` // the token's bytes; its text may be part of a character
}

func newTokenProb(p llm.TokenProb) tokenProb {
	b := make([]int, len(p.Piece))
	for i, c := range p.Piece {
		b[i] = int(c)
	}
	return tokenProb{ID: p.Token, Token: string(p.Piece), LogProb: p.LogProb, Bytes: b}
}

func completionProbabilities(lps []llm.TokenLogProb) []tokenLogProb {
	out := make([]tokenLogProb, len(lps))
	for i, lp := range lps {
		out[i] = tokenLogProb{tokenProb: newTokenProb(lp.TokenProb), TopLogProbs: make([]tokenProb, len(lp.Top))}
		for j, t := range lp.Top {
			out[i].TopLogProbs[j] = newTokenProb(t)
		}
	}
	return out
}

// parse validates the request and returns its prompt, adapter scale and
// generation options.
func (r *generateRequest) parse(d llm.SampleOptions, maxTokens int) (string, float32, llm.GenerateOptions, error) {
	if r.Prompt == nil || strings.TrimSpace(*r.Prompt) == "" {
		return "", 0, llm.GenerateOptions{}, errorf(http.StatusBadRequest, "empty_prompt", "prompt is required and must not be empty")
	}
	scale, opt, err := r.options(d, maxTokens)
	return *r.Prompt, scale, opt, err
}

// options validates every field but the prompt.
func (r *generateRequest) options(d llm.SampleOptions, maxTokens int) (float32, llm.GenerateOptions, error) {
	if r.MaxTokens == nil {
		r.MaxTokens = r.MaxLength
	}
	scale := float32(1)
	if r.AdapterScale != nil {
		if *r.AdapterScale < 0 || *r.AdapterScale > 4 {
			return 0, llm.GenerateOptions{}, badRequest("adapter_scale %g out of range [0, 4]", *r.AdapterScale)
		}
		scale = *r.AdapterScale
	}
	opt, err := r.samplingRequest.options(defaults{SampleOptions: d, MaxTokens: generateMaxTokens}, maxTokens)
	if err != nil {
		return 0, opt, err
	}
	if r.NProbs < 0 || r.NProbs > llm.MaxTopLogProbs {
		return 0, opt, badRequest("n_probs %d out of range [0, %d]", r.NProbs, llm.MaxTopLogProbs)
	}
	opt.LogProbs, opt.TopLogProbs = r.NProbs > 0, r.NProbs
	switch {
	case r.Grammar != "" && r.JSONSchema != nil:
		return 0, opt, badRequest("give grammar or json_schema, not both")
	case r.JSONSchema != nil:
		opt.Grammar, err = schemaGrammar(r.JSONSchema)
	default:
		opt.Grammar = r.Grammar
	}
	return scale, opt, err
}

// generate serves POST /generate: plain JSON, or with "stream": true one
// "piece" event per text piece and a final "done" event with the response.
func (s *Server) generate(c *gin.Context) {
	var req generateRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	prompt, scale, opt, err := req.parse(*s.opt.Sampling, s.opt.MaxTokens)
	if err != nil {
		writeError(c, err)
		return
	}
	s.serveGeneration(c, &req, scale, opt, func(ctx context.Context, in *inference, opt llm.GenerateOptions) (*llm.Generation, error) {
		return in.generate(ctx, prompt, opt)
	})
}

// serveGeneration runs gen for a request of /generate's shape and answers
// in /generate's way.
func (s *Server) serveGeneration(c *gin.Context, req *generateRequest, scale float32, opt llm.GenerateOptions,
	gen func(context.Context, *inference, llm.GenerateOptions) (*llm.Generation, error)) {
	ctx, cancel := s.requestContext(c.Request.Context())
	defer cancel()
	in, err := s.begin(ctx, req.Model, req.Adapter, scale)
	if err != nil {
		writeError(c, err)
		return
	}
	defer in.end()
	req.applyModelDefaults(in, &opt)

	deadline, _ := ctx.Deadline()
	stream := &sse{c: c, deadline: deadline}
	if req.Stream {
		opt.OnPiece = func(text string) error { return stream.piece("piece", generatePiece, text) }
	}
	g, err := gen(ctx, in, opt)
	if err != nil {
		stream.fail("error", err)
		return
	}
	resp := generateResponse{
		GeneratedText: g.Text, Model: in.model.Name, Adapter: in.adapterName(), FinishReason: g.FinishReason,
		Usage:                   usageOf(g),
		Timings:                 timings{TTFTMs: float64(g.Timings.TTFT.Microseconds()) / 1000, PromptTPS: g.Timings.PromptTPS, GenTPS: g.Timings.GenTPS},
		CompletionProbabilities: completionProbabilities(g.LogProbs),
	}
	if req.Stream {
		_ = stream.send("done", resp) // a client gone by now has nothing left to miss
		return
	}
	c.JSON(http.StatusOK, resp)
}
