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
	"sync/atomic"
	"unsafe"

	"github.com/codeloom/codeloom/llm"
)

// Embed returns one embedding per text, mean-pooled over the text's tokens
// and scaled to unit length (as OpenAI's embeddings are), and how many
// tokens the texts had together. It makes a context in the engine's
// embedding mode for the call, sized to the longest text, with threads CPU
// threads (0 = DefaultThreads()).
func (m *Model) Embed(ctx context.Context, texts []string, threads int) ([][]float32, int, error) {
	if m.vocabOnly {
		return nil, 0, errors.New("embed: the model was loaded with its vocabulary only")
	}
	toks := make([][]int32, len(texts))
	longest, total := 0, 0
	for i, t := range texts {
		tt, err := m.Tokenize(t, true)
		if err != nil {
			return nil, 0, fmt.Errorf("embed: %w", err)
		}
		if len(tt) == 0 {
			return nil, 0, fmt.Errorf("embed: text %d has no tokens", i)
		}
		toks[i] = tt
		longest, total = max(longest, len(tt)), total+len(tt)
	}
	if limit := int(C.llama_model_n_ctx_train(m.c)); longest > limit {
		return nil, 0, fmt.Errorf("embed: %w: %d tokens, the model's context is %d", llm.ErrPromptTooLong, longest, limit)
	}
	if threads <= 0 {
		threads = DefaultThreads()
	}
	cp := C.llama_context_default_params()
	// Mean pooling needs every token of a text in one micro-batch.
	n := max(longest, 8)
	cp.n_ctx, cp.n_batch, cp.n_ubatch = C.uint32_t(n), C.uint32_t(n), C.uint32_t(n)
	cp.n_seq_max = 1
	cp.embeddings = true
	cp.pooling_type = C.LLAMA_POOLING_TYPE_MEAN
	cp.n_threads, cp.n_threads_batch = C.int32_t(threads), C.int32_t(threads)
	cp.no_perf = true
	c := C.cl_ctx_new(m.c, cp)
	if c == nil {
		return nil, 0, engineFailure("embed: the engine could not make an embedding context of %d tokens", n)
	}
	defer C.cl_ctx_free(c)
	flag := (*int32)(unsafe.Pointer(&c.cancel))
	stop := context.AfterFunc(ctx, func() { atomic.StoreInt32(flag, 1) })
	defer stop()

	width := int(C.llama_model_n_embd(m.c))
	out := make([][]float32, len(texts))
	for i, t := range toks {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		C.llama_memory_clear(C.llama_get_memory(c.lctx), true)
		// Pooling reads every token's output: one step with all rows.
		pos, seq := make([]int32, len(t)), make([]int32, len(t))
		for j := range pos {
			pos[j] = int32(j)
		}
		rc := C.cl_decode_step(c, (*C.llama_token)(unsafe.Pointer(&t[0])), (*C.int32_t)(unsafe.Pointer(&pos[0])),
			(*C.int32_t)(unsafe.Pointer(&seq[0])), C.int32_t(len(t)))
		if rc == C.CL_ABORTED {
			return nil, 0, context.Cause(ctx)
		}
		if rc != C.CL_OK {
			return nil, 0, cError("embed", rc)
		}
		e := C.llama_get_embeddings_seq(c.lctx, 0)
		if e == nil {
			return nil, 0, engineFailure("embed: the engine returned no pooled embedding")
		}
		out[i] = unitLength(unsafe.Slice((*float32)(unsafe.Pointer(e)), width))
	}
	return out, total, nil
}

// unitLength returns a copy of v scaled to Euclidean length 1 (v itself
// when it is all zeros).
func unitLength(v []float32) []float32 {
	sum := 0.0
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	scale := 1.0
	if sum > 0 {
		scale = 1 / math.Sqrt(sum)
	}
	for i, x := range v {
		out[i] = float32(float64(x) * scale)
	}
	return out
}
