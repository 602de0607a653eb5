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

// GenerateBatch continues several prompts at once in one context, one
// sequence each: every step decodes the next token of all unfinished
// sequences in a single batch, which keeps the CPU's matrix kernels busier
// than one token at a time. The context must have been made with at least
// len(prompts) Sequences, and the prompts plus their generations share its
// tokens. Each sequence samples with its own chain (seeded alike). OnPiece
// is not supported here; results come back whole, in prompt order.
func (c *Context) GenerateBatch(ctx context.Context, prompts []string, opt llm.GenerateOptions) ([]*llm.Generation, error) {
	if err := opt.Validate(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	switch {
	case len(prompts) == 0:
		return nil, errors.New("generate batch: no prompts")
	case len(prompts) > c.nSeq:
		return nil, fmt.Errorf("generate batch: %d prompts, the context was made for %d sequences", len(prompts), c.nSeq)
	case opt.OnPiece != nil:
		return nil, errors.New("generate batch: OnPiece is not supported; use Generate to stream")
	}
	start := time.Now()
	toks := make([][]int32, len(prompts))
	used := 0
	for i, p := range prompts {
		t, err := c.promptTokens(p)
		if err != nil {
			return nil, fmt.Errorf("prompt %d: %w", i, err)
		}
		toks[i] = t
		used += len(t)
	}
	if used >= c.nCtx {
		return nil, fmt.Errorf("generate batch: %w: %d prompt tokens together, context %d", llm.ErrPromptTooLong, used, c.nCtx)
	}
	// Every sequence may take an equal share of the room left.
	opt.MaxTokens = capTokens(opt.MaxTokens, (c.nCtx-used)/len(prompts))

	smpls := make([]*C.struct_llama_sampler, len(prompts))
	defer func() {
		for _, s := range smpls {
			if s != nil {
				C.llama_sampler_free(s)
			}
		}
	}()
	for i, t := range toks {
		s, err := c.newSampler(opt.SampleOptions, t)
		if err != nil {
			return nil, fmt.Errorf("generate batch: %w", err)
		}
		smpls[i] = s
	}
	stop := c.begin(ctx)
	defer stop()
	seqs := make([]*seqState, len(prompts))
	// Step inputs: the sequences still running, in row order.
	var rowSeq, rowPos, rowTok []int32
	for i, t := range toks {
		seqs[i] = newSeqState(len(t), opt)
		if err := c.decode(ctx, t, 0, i); err != nil {
			return c.batchEnded(seqs, err)
		}
		seqs[i].g.Timings.Prompt = time.Since(start)
		tok, done, _ := c.advance(smpls[i], seqs[i], -1)
		seqs[i].g.Timings.TTFT = time.Since(start)
		if !done {
			rowSeq, rowPos, rowTok = append(rowSeq, int32(i)), append(rowPos, int32(len(t))), append(rowTok, tok)
		}
	}
	for len(rowSeq) > 0 {
		if err := ctx.Err(); err != nil {
			return c.batchEnded(seqs, err)
		}
		rc := C.cl_decode_step(c.c, (*C.llama_token)(unsafe.Pointer(&rowTok[0])), (*C.int32_t)(unsafe.Pointer(&rowPos[0])),
			(*C.int32_t)(unsafe.Pointer(&rowSeq[0])), C.int32_t(len(rowSeq)))
		if err := c.status("decode", rc, ctx); err != nil {
			return c.batchEnded(seqs, err)
		}
		kept := 0
		for row, seq := range rowSeq {
			tok, done, _ := c.advance(smpls[seq], seqs[seq], row)
			if done {
				continue
			}
			rowSeq[kept], rowPos[kept], rowTok[kept] = seq, rowPos[row]+1, tok
			kept++
		}
		rowSeq, rowPos, rowTok = rowSeq[:kept], rowPos[:kept], rowTok[:kept]
	}
	out := make([]*llm.Generation, len(seqs))
	elapsed := time.Since(start)
	for i, s := range seqs {
		s.finish()
		g := s.g
		g.Timings.Gen = elapsed - g.Timings.TTFT
		g.Timings.PromptTPS = rate(g.PromptTokens, g.Timings.Prompt)
		if g.CompletionTokens > 1 {
			g.Timings.GenTPS = rate(g.CompletionTokens-1, g.Timings.Gen)
		}
		out[i] = g
	}
	return out, nil
}

// batchEnded returns what each sequence had when err stopped the batch.
func (c *Context) batchEnded(seqs []*seqState, err error) ([]*llm.Generation, error) {
	out := make([]*llm.Generation, 0, len(seqs))
	for _, s := range seqs {
		if s == nil {
			break
		}
		if s.g.FinishReason != "" { // finished before err
			s.finish()
			out = append(out, s.g)
			continue
		}
		s.cut()
		g, e := c.ended(s.g, err)
		if g == nil {
			return nil, e
		}
		out = append(out, g)
	}
	return out, err
}
