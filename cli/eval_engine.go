package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/eval"
)

// engineLM adapts an engine context to eval.LM. The base model and the model
// with an adapter share one context; each call sets the adapter it needs.
type engineLM struct {
	c       *bindings.Context
	adapter *bindings.Adapter // nil: the base model
	scale   float32
	sample  bindings.SampleOptions // for samples; greedy completions use it with temperature 0
}

func (e *engineLM) Generate(ctx context.Context, prompt string, opt eval.GenerateOptions) (eval.Generation, error) {
	so := e.sample
	if !opt.Sample {
		so.Temperature = 0
	}
	e.c.SetAdapter(e.adapter, e.scale)
	g, err := e.c.Generate(ctx, prompt, bindings.GenerateOptions{SampleOptions: so, MaxTokens: opt.MaxTokens, OnPiece: opt.OnPiece})
	if errors.Is(err, bindings.ErrPromptTooLong) {
		return eval.Generation{}, fmt.Errorf("%w: %v", eval.ErrTooLong, err)
	}
	if g == nil {
		return eval.Generation{}, err
	}
	// err may be OnPiece's own, with the text generated up to it.
	return eval.Generation{Text: g.Text, Tokens: g.CompletionTokens, TTFT: g.Timings.TTFT}, err
}

func (e *engineLM) Perplexity(ctx context.Context, text string) (float64, int, error) {
	e.c.SetAdapter(e.adapter, e.scale)
	p, err := e.c.Perplexity(ctx, text)
	if errors.Is(err, bindings.ErrPromptTooLong) {
		return 0, 0, fmt.Errorf("%w: %v", eval.ErrTooLong, err)
	}
	return p.MeanNLL, p.Tokens, err
}
