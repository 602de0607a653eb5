package eval

import (
	"context"
	"errors"
	"time"
)

// LM is the model under evaluation, as eval needs it. The CLI adapts the
// engine bindings to it; a model with an adapter and the same model without
// one are two LMs.
type LM interface {
	// Generate continues prompt: greedily, or with the sampling settings
	// the LM was made with when opt.Sample is set. OnPiece receives the text
	// as it is generated; an error from it ends generation and is returned
	// with what was generated so far.
	Generate(ctx context.Context, prompt string, opt GenerateOptions) (Generation, error)
	// Perplexity scores every token of text but the first by teacher
	// forcing: the mean negative log-likelihood per token and the count.
	Perplexity(ctx context.Context, text string) (meanNLL float64, tokens int, err error)
}

// GenerateOptions are what eval asks of one generation.
type GenerateOptions struct {
	MaxTokens int
	// Sample asks for one of several samples of a task (pass@k with k > 1)
	// instead of the greedy completion.
	Sample  bool
	OnPiece func(text string) error
}

// Generation is what an LM returns for one prompt.
type Generation struct {
	Text   string
	Tokens int           // tokens generated
	TTFT   time.Duration // time to the first token
}

// ErrTooLong is what an LM returns (wrapped) when a text does not fit its
// context; eval skips such records and counts them.
var ErrTooLong = errors.New("text does not fit the model's context")

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

// complete generates the rest of a function after prompt and cuts it where
// the function ends (see cutBody), stopping generation there.
func complete(ctx context.Context, lm LM, prompt, lang string, braceBody bool, maxTokens int, sample bool) (string, timing, error) {
	var text []byte
	opt := GenerateOptions{MaxTokens: maxTokens, Sample: sample, OnPiece: func(s string) error {
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
	t := timing{ttft: g.TTFT}
	if gen := wall - g.TTFT; g.Tokens > 1 && gen > 0 {
		t.tokensPerSec = float64(g.Tokens-1) / gen.Seconds()
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
