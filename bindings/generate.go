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

	"github.com/codeloom/codeloom/llm"
)

// Generate continues prompt. It follows the plain decode loop: tokenize,
// decode the prompt as one batch, then sample and decode one token at a
// time until end-of-generation, a stop string, MaxTokens or cancellation.
// On cancellation it returns what was generated with ctx's error.
func (c *Context) Generate(ctx context.Context, prompt string, opt llm.GenerateOptions) (*llm.Generation, error) {
	if err := opt.Validate(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	start := time.Now()
	toks, err := c.promptTokens(prompt)
	if err != nil {
		return nil, err
	}
	return c.generate(ctx, toks, opt, start)
}

// Infill generates the middle between prefix and suffix with the model's
// fill-in-the-middle tokens, in llama-server's order:
// [BOS] FIM_PRE prefix FIM_SUF suffix FIM_MID, then the middle. A model
// without those tokens gives an error wrapping llm.ErrNoFIM.
func (c *Context) Infill(ctx context.Context, prefix, suffix string, opt llm.GenerateOptions) (*llm.Generation, error) {
	if err := opt.Validate(); err != nil {
		return nil, fmt.Errorf("infill: %w", err)
	}
	start := time.Now()
	toks, err := c.model.InfillTokens(prefix, suffix)
	if err != nil {
		return nil, err
	}
	if err := c.checkPrompt(toks); err != nil {
		return nil, err
	}
	return c.generate(ctx, toks, opt, start)
}

// InfillTokens lays out a fill-in-the-middle prompt; see Context.Infill.
func (m *Model) InfillTokens(prefix, suffix string) ([]int32, error) {
	pre, suf, mid, ok := m.FIM()
	if !ok {
		return nil, fmt.Errorf("infill: %w", llm.ErrNoFIM)
	}
	p, err := m.Tokenize(prefix, false)
	if err != nil {
		return nil, fmt.Errorf("infill: %w", err)
	}
	s, err := m.Tokenize(suffix, false)
	if err != nil {
		return nil, fmt.Errorf("infill: %w", err)
	}
	var toks []int32
	if m.AddsBOS() {
		toks = append(toks, m.BOS())
	}
	toks = append(append(append(toks, pre), p...), suf)
	return append(append(toks, s...), mid), nil
}

// generate is the decode loop over prompt tokens that fit the context.
func (c *Context) generate(ctx context.Context, toks []int32, opt llm.GenerateOptions, start time.Time) (*llm.Generation, error) {
	opt.MaxTokens = capTokens(opt.MaxTokens, c.nCtx-len(toks))
	smpl, err := c.newSampler(opt.SampleOptions, toks)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	defer C.llama_sampler_free(smpl)
	stop := c.begin(ctx)
	defer stop()

	st := newSeqState(len(toks), opt)
	g := st.g
	if err := c.decode(ctx, toks, 0, 0); err != nil {
		return c.ended(g, err)
	}
	g.Timings.Prompt = time.Since(start)
	var first time.Time
	pos := len(toks)
	next := make([]int32, 1)
	for {
		if err := ctx.Err(); err != nil {
			st.cut()
			return c.ended(g, err)
		}
		tok, done, err := c.advance(smpl, st, -1)
		if first.IsZero() {
			first = time.Now()
			g.Timings.TTFT = first.Sub(start)
		}
		if err != nil {
			return g, err
		}
		if done {
			break
		}
		next[0] = tok
		if err := c.decode(ctx, next, pos, 0); err != nil {
			st.cut()
			return c.ended(g, err)
		}
		pos++
	}
	if err := st.finish(); err != nil {
		return g, err
	}
	g.Timings.Gen = time.Since(first)
	g.Timings.PromptTPS = rate(len(toks), g.Timings.Prompt)
	if g.CompletionTokens > 1 {
		g.Timings.GenTPS = rate(g.CompletionTokens-1, g.Timings.Gen)
	}
	return g, nil
}

// advance samples a sequence's next token from output row idx of the last
// decode, records its log-probabilities when asked, and steps the text.
func (c *Context) advance(smpl *C.struct_llama_sampler, s *seqState, idx int) (tok int32, done bool, err error) {
	tok, piece, eog, err := c.sample(smpl, idx)
	if err != nil {
		return 0, true, err
	}
	if s.logProbs && !eog {
		s.g.LogProbs = append(s.g.LogProbs, c.tokenLogProb(idx, tok, piece, s.top))
	}
	done, err = s.step(piece, eog)
	return tok, done, err
}

// promptTokens tokenizes a prompt that must leave room to generate.
func (c *Context) promptTokens(prompt string) ([]int32, error) {
	toks, err := c.model.Tokenize(prompt, true)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if len(toks) == 0 {
		return nil, errors.New("generate: empty prompt (the model adds no BOS token)")
	}
	return toks, c.checkPrompt(toks)
}

// checkPrompt reports a prompt that leaves no room to generate.
func (c *Context) checkPrompt(toks []int32) error {
	if len(toks) >= c.nCtx {
		return fmt.Errorf("generate: %w: %d prompt tokens, context %d", llm.ErrPromptTooLong, len(toks), c.nCtx)
	}
	return nil
}

// capTokens bounds max tokens (0: no limit) by the room left.
func capTokens(max, room int) int {
	if max == 0 || max > room {
		return room
	}
	return max
}

// sample draws the next token from output row idx of the last decode.
func (c *Context) sample(smpl *C.struct_llama_sampler, idx int) (tok int32, piece []byte, eog bool, err error) {
	var n, end C.int32_t
	t := C.cl_sample(c.c, smpl, C.int32_t(idx), (*C.char)(unsafe.Pointer(&c.piece[0])), C.int32_t(len(c.piece)), &n, &end)
	if end == C.CL_SAMPLE_FAILED {
		return 0, nil, true, fmt.Errorf("sample: %s", c.piece[:n])
	}
	if n < 0 {
		c.piece = make([]byte, -int(n))
		n = C.cl_piece(c.c, t, (*C.char)(unsafe.Pointer(&c.piece[0])), C.int32_t(len(c.piece)))
	}
	return int32(t), c.piece[:n], end != 0, nil
}

// seqState follows one sequence's text: stop strings, UTF-8, limits and
// streaming.
type seqState struct {
	g       *llm.Generation
	out     textStream
	text    []byte
	max     int
	onPiece func(string) error
	// logProbs asks for each token's log-probability and top alternatives.
	logProbs bool
	top      int
}

func newSeqState(promptTokens int, opt llm.GenerateOptions) *seqState {
	return &seqState{g: &llm.Generation{PromptTokens: promptTokens}, out: textStream{stops: opt.Stop},
		max: opt.MaxTokens, onPiece: opt.OnPiece, logProbs: opt.LogProbs, top: opt.TopLogProbs}
}

// step takes one sampled token and reports whether the sequence is done.
// An error from OnPiece ends it with the text so far.
func (s *seqState) step(piece []byte, eog bool) (done bool, err error) {
	if eog {
		s.g.FinishReason = llm.FinishStop
		return true, nil
	}
	s.g.CompletionTokens++
	released, stopped := s.out.push(piece)
	if err := s.emit(released); err != nil {
		s.g.Text = string(s.text)
		return true, err
	}
	switch {
	case stopped:
		s.g.FinishReason = llm.FinishStop
	case s.g.CompletionTokens >= s.max:
		s.g.FinishReason = llm.FinishLength
	default:
		return false, nil
	}
	return true, nil
}

func (s *seqState) emit(text string) error {
	if text == "" {
		return nil
	}
	s.text = append(s.text, text...)
	if s.onPiece != nil {
		return s.onPiece(text)
	}
	return nil
}

// finish releases the held-back text at a normal end.
func (s *seqState) finish() error {
	err := s.emit(s.out.flush())
	s.g.Text = string(s.text)
	return err
}

// cut ends the text where an error or cancellation stopped it.
func (s *seqState) cut() {
	s.g.Text = string(s.text) + s.out.flush()
}

// ended finishes a generation cut short by err.
func (c *Context) ended(g *llm.Generation, err error) (*llm.Generation, error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		g.FinishReason = llm.FinishCancelled
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
