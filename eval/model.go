package eval

import (
	"context"
	"errors"
	"time"

	"github.com/codeloom/codeloom/llm"
)

// LM is the model under evaluation, as eval needs it. Its errors wrap
// llm.ErrPromptTooLong when a text does not fit its context; eval skips such
// records and counts them. A model with an adapter and the same model
// without one are two LMs (see WithAdapter).
type LM interface {
	// Generate continues prompt. OnPiece receives the text as it is
	// generated; an error from it ends generation and is returned with what
	// was generated so far.
	Generate(ctx context.Context, prompt string, opt llm.GenerateOptions) (*llm.Generation, error)
	// Perplexity scores every token of text but the first by teacher
	// forcing.
	Perplexity(ctx context.Context, text string) (llm.Perplexity, error)
}

// Context is an engine context that LMs can share, switching its adapter;
// *bindings.Context implements it.
type Context interface {
	LM
	SetAdapter(a llm.Adapter, scale float32)
}

// WithAdapter is the LM of c with adapter a at scale (nil: the model alone).
// Each call sets its adapter on c first, so a tuned model and its base can
// be evaluated on one context.
func WithAdapter(c Context, a llm.Adapter, scale float32) LM {
	return adapted{c: c, a: a, scale: scale}
}

type adapted struct {
	c     Context
	a     llm.Adapter
	scale float32
}

func (m adapted) Generate(ctx context.Context, prompt string, opt llm.GenerateOptions) (*llm.Generation, error) {
	m.c.SetAdapter(m.a, m.scale)
	return m.c.Generate(ctx, prompt, opt)
}

func (m adapted) Perplexity(ctx context.Context, text string) (llm.Perplexity, error) {
	m.c.SetAdapter(m.a, m.scale)
	return m.c.Perplexity(ctx, text)
}

// SyntaxChecker parses source code with the language's grammar. Valid
// reports whether the tree has no ERROR or MISSING node; ok is false when the
// language has no grammar.
type SyntaxChecker interface {
	Valid(language, source string) (valid, ok bool)
}

// timing is the latency of one generation.
type timing struct {
	ttft         time.Duration
	tokensPerSec float64 // after the first token; 0 when fewer than 2 tokens
}

// errBodyDone ends a generation once the function body is complete.
var errBodyDone = errors.New("function body complete")

// greedy is the sampling of o without its randomness: the same penalties at
// temperature 0.
func greedy(o llm.SampleOptions) llm.SampleOptions {
	o.Temperature = 0
	return o
}

// complete generates the rest of a function after prompt and cuts it where
// the function ends (see cutBody), stopping generation there.
func complete(ctx context.Context, lm LM, prompt, lang string, braceBody bool, maxTokens int, so llm.SampleOptions) (string, timing, error) {
	var text []byte
	opt := llm.GenerateOptions{SampleOptions: so, MaxTokens: maxTokens, OnPiece: func(s string) error {
		text = append(text, s...)
		if _, done := cutBody(string(text), lang, braceBody); done {
			return errBodyDone
		}
		return nil
	}}
	start := time.Now()
	g, err := lm.Generate(ctx, prompt, opt)
	wall := time.Since(start)
	if err != nil && !errors.Is(err, errBodyDone) {
		return "", timing{}, err
	}
	body, _ := cutBody(g.Text, lang, braceBody)
	t := timing{ttft: g.Timings.TTFT}
	if gen := wall - g.Timings.TTFT; g.CompletionTokens > 1 && gen > 0 {
		t.tokensPerSec = float64(g.CompletionTokens-1) / gen.Seconds()
	}
	return body, t, nil
}

// latencyMetrics summarizes timings as p50/p95 of time to first token (ms)
// and of generation speed (tokens/s).
func latencyMetrics(ts []timing, m map[string]float64) {
	if len(ts) == 0 {
		return
	}
	ttft := make([]float64, 0, len(ts))
	var tps []float64
	for _, t := range ts {
		ttft = append(ttft, float64(t.ttft)/float64(time.Millisecond))
		if t.tokensPerSec > 0 {
			tps = append(tps, t.tokensPerSec)
		}
	}
	m["ttft_ms_p50"] = Percentile(ttft, 50)
	m["ttft_ms_p95"] = Percentile(ttft, 95)
	if len(tps) > 0 {
		m["tokens_per_s_p50"] = Percentile(tps, 50)
		m["tokens_per_s_p95"] = Percentile(tps, 95)
	}
	m["generations"] = float64(len(ts))
}
