package bindings

/*
#include "infer.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"
)

// GenerateOptions control one generation.
type GenerateOptions struct {
	SampleOptions
	MaxTokens int      // tokens to generate at most; 0 = until the context is full
	Stop      []string // generation ends before the first of these
	// OnPiece receives the text as it is generated. Pieces never end inside
	// a multi-byte character or a possible stop string. An error from it
	// ends generation and is returned.
	OnPiece func(text string) error
}

// Finish reasons of a Generation.
const (
	FinishStop      = "stop"      // end-of-generation token or a stop string
	FinishLength    = "length"    // MaxTokens or the context was reached
	FinishCancelled = "cancelled" // ctx was cancelled
)

// Generation is the result of Generate.
type Generation struct {
	Text             string
	FinishReason     string
	PromptTokens     int
	CompletionTokens int
	Timings          Timings
}

// Timings of one generation.
type Timings struct {
	TTFT      time.Duration // from the call to the first sampled token
	Prompt    time.Duration // decoding the prompt
	Gen       time.Duration // from the first sampled token to the end
	PromptTPS float64       // prompt tokens per second
	GenTPS    float64       // generated tokens per second after the first
}

// Generate continues prompt. It follows the plain decode loop: tokenize,
// decode the prompt as one batch, then sample and decode one token at a
// time until end-of-generation, a stop string, MaxTokens or cancellation.
// On cancellation it returns what was generated with ctx's error.
func (c *Context) Generate(ctx context.Context, prompt string, opt GenerateOptions) (*Generation, error) {
	if err := opt.Validate(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if opt.MaxTokens < 0 {
		return nil, fmt.Errorf("generate: max tokens %d: want 0 (no limit) or more", opt.MaxTokens)
	}
	for _, s := range opt.Stop {
		if s == "" {
			return nil, errors.New("generate: empty stop string")
		}
	}
	start := time.Now()
	toks, err := c.model.Tokenize(prompt, true)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if len(toks) == 0 {
		return nil, errors.New("generate: empty prompt (the model adds no BOS token)")
	}
	if len(toks) >= c.nCtx {
		return nil, fmt.Errorf("generate: %w: %d prompt tokens, context %d", ErrPromptTooLong, len(toks), c.nCtx)
	}
	room := c.nCtx - len(toks)
	if opt.MaxTokens == 0 || opt.MaxTokens > room {
		opt.MaxTokens = room
	}

	smpl := newSampler(opt.SampleOptions)
	defer C.llama_sampler_free(smpl)
	if opt.RepeatPenalty > 0 && opt.RepeatPenalty != 1 {
		for _, t := range toks {
			C.llama_sampler_accept(smpl, C.llama_token(t))
		}
	}
	stop := c.begin(ctx)
	defer stop()

	g := &Generation{PromptTokens: len(toks)}
	if err := c.decode(ctx, toks, 0); err != nil {
		return c.ended(g, err)
	}
	g.Timings.Prompt = time.Since(start)
	out := textStream{stops: opt.Stop}
	var text []byte
	emit := func(s string) error {
		if s == "" {
			return nil
		}
		text = append(text, s...)
		if opt.OnPiece != nil {
			return opt.OnPiece(s)
		}
		return nil
	}
	piece := make([]byte, 256)
	var first time.Time
	pos := len(toks)
	next := make([]int32, 1)
	for {
		if err := ctx.Err(); err != nil {
			g.Text = string(text) + out.flush()
			return c.ended(g, err)
		}
		var n, eog C.int32_t
		tok := C.cl_sample(c.c, smpl, (*C.char)(unsafe.Pointer(&piece[0])), C.int32_t(len(piece)), &n, &eog)
		if n < 0 {
			piece = make([]byte, -int(n))
			n = C.cl_piece(c.c, tok, (*C.char)(unsafe.Pointer(&piece[0])), C.int32_t(len(piece)))
		}
		if first.IsZero() {
			first = time.Now()
			g.Timings.TTFT = first.Sub(start)
		}
		if eog != 0 {
			g.FinishReason = FinishStop
			break
		}
		g.CompletionTokens++
		released, stopped := out.push(piece[:n])
		if err := emit(released); err != nil {
			g.Text = string(text)
			return g, err
		}
		if stopped {
			g.FinishReason = FinishStop
			break
		}
		if g.CompletionTokens >= opt.MaxTokens {
			g.FinishReason = FinishLength
			break
		}
		next[0] = int32(tok)
		if err := c.decode(ctx, next, pos); err != nil {
			g.Text = string(text) + out.flush()
			return c.ended(g, err)
		}
		pos++
	}
	if err := emit(out.flush()); err != nil {
		g.Text = string(text)
		return g, err
	}
	g.Text = string(text)
	g.Timings.Gen = time.Since(first)
	g.Timings.PromptTPS = rate(len(toks), g.Timings.Prompt)
	if g.CompletionTokens > 1 {
		g.Timings.GenTPS = rate(g.CompletionTokens-1, g.Timings.Gen)
	}
	return g, nil
}

// ended finishes a generation cut short by err.
func (c *Context) ended(g *Generation, err error) (*Generation, error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		g.FinishReason = FinishCancelled
		return g, err
	}
	return nil, fmt.Errorf("generate: %w", err)
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
