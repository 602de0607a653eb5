package bindings

// The engine entry points in this file serve benchmarks and checks, not
// the commands: the barest decode loop that benchmarks hold Generate
// against, llama.cpp's own loss that tests hold the training forward
// against, and token-by-token decoding for tests and the load probe
// (probe.go). TrainOptions.SlowBackward belongs with them: it keeps ggml's
// slower backward so that tests and benchmarks can compare the two.

/*
#include <stdlib.h>
#include "infer.h"
#include "train.h"
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

// BareLoop runs the engine's barest decode loop, entirely in C: prompt as
// one batch, then greedy sampling one token at a time, with a fresh context.
// It is the reference that benchmarks hold Generate against.
func (m *Model) BareLoop(prompt []int32, nGen, nCtx, threads int) (generated int, promptTime, genTime time.Duration, err error) {
	if len(prompt) == 0 || nGen <= 0 {
		return 0, 0, 0, errors.New("bare loop: empty prompt or nothing to generate")
	}
	if threads <= 0 {
		threads = DefaultThreads()
	}
	var tp, tg C.double
	n := C.cl_bare_loop(m.c, C.int32_t(nCtx), C.int32_t(threads), (*C.llama_token)(unsafe.Pointer(&prompt[0])),
		C.int32_t(len(prompt)), C.int32_t(nGen), &tp, &tg)
	if n < 0 {
		return 0, 0, 0, errors.New("bare loop: the engine could not make a context")
	}
	return int(n), time.Duration(float64(tp) * float64(time.Second)), time.Duration(float64(tg) * float64(time.Second)), nil
}

// ReferenceLoss is the mean next-token cross-entropy of tokens computed by
// llama.cpp's inference path, with the LoRA adapter file at adapter applied
// when it is not empty: the independent check of the training forward.
func ReferenceLoss(model, adapter string, tokens []int32, threads int) (float64, error) {
	Init()
	if len(tokens) < 2 {
		return 0, errors.New("reference loss needs at least two tokens")
	}
	if threads <= 0 {
		threads = DefaultThreads()
	}
	cm := C.CString(model)
	defer C.free(unsafe.Pointer(cm))
	ca := C.CString(adapter)
	defer C.free(unsafe.Pointer(ca))
	var loss C.double
	var cerr [errLen]C.char
	if C.cl_reference_loss(cm, ca, cInts(tokens), C.int32_t(len(tokens)), C.int32_t(threads), &loss, &cerr[0], errLen) != 0 {
		return 0, fmt.Errorf("reference loss: %s", C.GoString(&cerr[0]))
	}
	return float64(loss), nil
}

// Decode feeds tokens at positions pos.. without sampling; Logits then
// returns the last token's logits. It is the building block for callers that
// drive the model themselves (tests, token-by-token scoring). pos 0 starts a
// new sequence.
func (c *Context) Decode(ctx context.Context, tokens []int32, pos int) error {
	if len(tokens) == 0 {
		return errors.New("decode: no tokens")
	}
	if pos < 0 || pos+len(tokens) > c.nCtx {
		return fmt.Errorf("decode %d tokens at %d: %w (%d tokens)", len(tokens), pos, llm.ErrPromptTooLong, c.nCtx)
	}
	if pos == 0 {
		stop := c.begin(ctx)
		defer stop()
	}
	return c.decode(ctx, tokens, pos, 0)
}

// Logits returns a copy of the logits of the last decoded token.
func (c *Context) Logits() ([]float32, error) {
	n := int(C.llama_vocab_n_tokens(c.model.vocab))
	out := make([]float32, n)
	if rc := C.cl_logits(c.c, (*C.float)(unsafe.Pointer(&out[0])), C.int32_t(n)); rc != C.CL_OK {
		return nil, cError("logits", rc)
	}
	return out, nil
}
