package bindings

/*
#include "infer.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/codeloom/codeloom/llm"
)

// Score returns log p(continuation | prompt) under the model (and adapter).
// The two are tokenized separately, so the boundary between them is where
// the caller put it.
func (c *Context) Score(ctx context.Context, prompt, continuation string) (llm.Score, error) {
	p, err := c.model.Tokenize(prompt, true)
	if err != nil {
		return llm.Score{}, fmt.Errorf("score: %w", err)
	}
	cont, err := c.model.Tokenize(continuation, false)
	if err != nil {
		return llm.Score{}, fmt.Errorf("score: %w", err)
	}
	if len(p) == 0 {
		return llm.Score{}, errors.New("score: empty prompt (the model adds no BOS token)")
	}
	if len(cont) == 0 {
		return llm.Score{}, errors.New("score: empty continuation")
	}
	toks := append(p, cont...)
	if len(toks) > c.nCtx {
		return llm.Score{}, fmt.Errorf("score: %w: %d tokens, context %d", llm.ErrPromptTooLong, len(toks), c.nCtx)
	}
	lp, err := c.logProbs(ctx, toks, len(p))
	if err != nil {
		return llm.Score{}, err
	}
	s := llm.Score{Tokens: len(lp)}
	for _, v := range lp {
		s.LogProb += v
	}
	return s, nil
}

// logProbs returns log p(toks[i] | toks[:i]) for i in [from, len(toks)).
func (c *Context) logProbs(ctx context.Context, toks []int32, from int) ([]float64, error) {
	stop := c.begin(ctx)
	defer stop()
	out := make([]float64, len(toks)-from)
	rc := C.cl_score(c.c, (*C.llama_token)(unsafe.Pointer(&toks[0])), C.int32_t(len(toks)), C.int32_t(from),
		(*C.double)(unsafe.Pointer(&out[0])))
	if err := c.status("score", rc, ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// Perplexity scores every token of text but the first. A text longer than
// the context is cut into windows of the context's size that overlap by one
// token, so each token is scored once, with the context of its own window.
func (c *Context) Perplexity(ctx context.Context, text string) (llm.Perplexity, error) {
	toks, err := c.model.Tokenize(text, true)
	if err != nil {
		return llm.Perplexity{}, fmt.Errorf("perplexity: %w", err)
	}
	if len(toks) < 2 {
		return llm.Perplexity{}, errors.New("perplexity: text has fewer than two tokens")
	}
	var sum float64
	n := 0
	for start := 0; start < len(toks)-1; start += c.nCtx - 1 {
		end := min(start+c.nCtx, len(toks))
		lp, err := c.logProbs(ctx, toks[start:end], 1)
		if err != nil {
			return llm.Perplexity{}, err
		}
		for _, v := range lp {
			sum -= v
		}
		n += len(lp)
	}
	mean := sum / float64(n)
	return llm.Perplexity{MeanNLL: mean, PPL: math.Exp(mean), Tokens: n}, nil
}
