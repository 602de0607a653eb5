package server

import (
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
}

// parse validates the request and returns its prompt, adapter scale and
// generation options.
func (r *generateRequest) parse(d llm.SampleOptions, maxTokens int) (string, float32, llm.GenerateOptions, error) {
	if r.Prompt == nil || strings.TrimSpace(*r.Prompt) == "" {
		return "", 0, llm.GenerateOptions{}, errorf(http.StatusBadRequest, "empty_prompt", "prompt is required and must not be empty")
	}
	if r.MaxTokens == nil {
		r.MaxTokens = r.MaxLength
	}
	scale := float32(1)
	if r.AdapterScale != nil {
		if *r.AdapterScale < 0 || *r.AdapterScale > 4 {
			return "", 0, llm.GenerateOptions{}, badRequest("adapter_scale %g out of range [0, 4]", *r.AdapterScale)
		}
		scale = *r.AdapterScale
	}
	opt, err := r.options(defaults{SampleOptions: d, MaxTokens: generateMaxTokens}, maxTokens)
	return *r.Prompt, scale, opt, err
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
	ctx, cancel := s.requestContext(c.Request.Context())
	defer cancel()
	in, err := s.begin(ctx, req.Model, req.Adapter, scale)
	if err != nil {
		writeError(c, err)
		return
	}
	defer in.end()

	deadline, _ := ctx.Deadline()
	stream := &sse{c: c, deadline: deadline}
	if req.Stream {
		opt.OnPiece = func(text string) error { return stream.piece("piece", generatePiece, text) }
	}
	g, err := in.generate(ctx, prompt, opt)
	if err != nil {
		stream.fail("error", err)
		return
	}
	resp := generateResponse{
		GeneratedText: g.Text, Model: in.model.Name, Adapter: in.adapterName(), FinishReason: g.FinishReason,
		Usage:   usageOf(g),
		Timings: timings{TTFTMs: float64(g.Timings.TTFT.Microseconds()) / 1000, PromptTPS: g.Timings.PromptTPS, GenTPS: g.Timings.GenTPS},
	}
	if req.Stream {
		_ = stream.send("done", resp) // a client gone by now has nothing left to miss
		return
	}
	c.JSON(http.StatusOK, resp)
}
