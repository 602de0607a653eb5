package bindings

/*
#include <stdlib.h>
#include "infer.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/codeloom/codeloom/llm"
)

// ContextParams size a decoding context. Zero values take the defaults.
type ContextParams struct {
	NCtx    int // context length in tokens; 0 = the model's, capped at 4096
	NBatch  int // tokens decoded per engine call; 0 = 512
	Threads int // CPU threads; 0 = DefaultThreads()
	// Sequences is how many prompts GenerateBatch may decode together;
	// they share the context's tokens. 0 = 1.
	Sequences int
}

// Context is one decoding state over a Model. It serves one request at a
// time and is not safe for concurrent use.
type Context struct {
	c       *C.cl_ctx
	model   *Model
	nCtx    int
	adapter *Adapter
	scale   float32
	applied bool   // adapter and scale are what the engine uses
	piece   []byte // the last sampled token's text
	nSeq    int
}

// NewContext makes a decoding context.
func (m *Model) NewContext(p ContextParams) (*Context, error) {
	if m.vocabOnly {
		return nil, errors.New("new context: the model was loaded with its vocabulary only")
	}
	if p.NCtx < 0 || p.NBatch < 0 || p.Threads < 0 || p.Sequences < 0 {
		return nil, fmt.Errorf("new context: negative size (ctx %d, batch %d, threads %d, sequences %d)", p.NCtx, p.NBatch, p.Threads, p.Sequences)
	}
	if p.Sequences == 0 {
		p.Sequences = 1
	}
	if p.NCtx == 0 {
		p.NCtx = min(int(C.llama_model_n_ctx_train(m.c)), 4096)
	}
	if p.NCtx < 8 {
		p.NCtx = 8
	}
	if p.NBatch == 0 {
		p.NBatch = 512
	}
	if p.Threads == 0 {
		p.Threads = DefaultThreads()
	}
	cp := C.llama_context_default_params()
	cp.n_ctx = C.uint32_t(p.NCtx)
	cp.n_batch = C.uint32_t(p.NBatch)
	cp.n_ubatch = C.uint32_t(p.NBatch)
	cp.n_seq_max = C.uint32_t(p.Sequences)
	// Sequences share the whole context rather than a fixed slice each.
	cp.kv_unified = C.bool(p.Sequences > 1)
	cp.n_threads = C.int32_t(p.Threads)
	cp.n_threads_batch = C.int32_t(p.Threads)
	cp.no_perf = true
	c := C.cl_ctx_new(m.c, cp)
	if c == nil {
		return nil, fmt.Errorf("new context of %d tokens: the engine could not allocate it", p.NCtx)
	}
	return &Context{c: c, model: m, nCtx: int(C.llama_n_ctx(c.lctx)), applied: true, piece: make([]byte, 256), nSeq: p.Sequences}, nil
}

// Close frees the context.
func (c *Context) Close() {
	if c != nil && c.c != nil {
		C.cl_ctx_free(c.c)
		c.c = nil
	}
}

// Size is the context length in tokens.
func (c *Context) Size() int { return c.nCtx }

// SetAdapter makes a the context's only LoRA adapter, at scale (nil, or a
// nil *Adapter, removes it). It takes effect from the next Generate, Score
// or Decode. a must be an *Adapter loaded by this package: it takes
// llm.Adapter so that *Context satisfies the interfaces of server and eval
// directly, and any other adapter is a programming error that panics, as a
// failed type assertion would.
func (c *Context) SetAdapter(a llm.Adapter, scale float32) {
	ba, ok := a.(*Adapter)
	if a != nil && !ok {
		panic(fmt.Sprintf("bindings: SetAdapter: %T is not a *bindings.Adapter", a))
	}
	if ba == c.adapter && scale == c.scale {
		return
	}
	c.adapter, c.scale, c.applied = ba, scale, false
}

// begin prepares a request: forgets earlier tokens, applies a changed
// adapter, and arms cancellation from ctx. The returned stop function must
// be called when the request ends.
func (c *Context) begin(ctx context.Context) (stop func() bool) {
	C.cl_reset(c.c)
	if !c.applied {
		var ca *C.struct_llama_adapter_lora
		if c.adapter != nil {
			ca = c.adapter.c
		}
		C.cl_set_adapter(c.c, ca, C.float(c.scale))
		c.applied = true
	}
	flag := (*int32)(unsafe.Pointer(&c.c.cancel))
	set := make(chan struct{})
	stopped := context.AfterFunc(ctx, func() {
		atomic.StoreInt32(flag, 1)
		close(set)
	})
	// When ctx ended, the flag is set from another goroutine: wait until it
	// is, or it could land after the next call's reset and abort that call.
	return func() bool {
		if stopped() {
			return true
		}
		<-set
		return false
	}
}

func (c *Context) decode(ctx context.Context, tokens []int32, pos, seq int) error {
	rc := C.cl_decode(c.c, (*C.llama_token)(unsafe.Pointer(&tokens[0])), C.int32_t(len(tokens)), C.int32_t(pos), C.int32_t(seq))
	return c.status("decode", rc, ctx)
}

func (c *Context) status(what string, rc C.int32_t, ctx context.Context) error {
	switch rc {
	case C.CL_OK:
		return nil
	case C.CL_ABORTED:
		if err := ctx.Err(); err != nil {
			return err
		}
		return context.Canceled
	case C.CL_NO_SLOT:
		return fmt.Errorf("%s: %w", what, llm.ErrPromptTooLong)
	default:
		return cError(what, rc)
	}
}
