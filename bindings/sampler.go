package bindings

/*
#include <stdlib.h>
#include "llama.h"
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/codeloom/codeloom/llm"
)

// newSampler builds the engine's sampler chain in the usual order: logit
// bias, penalties, grammar, top-k, top-p, min-p, temperature, then the
// draw. The prompt's tokens count as recent tokens for the penalties (and
// only for them: the grammar starts at the first generated token).
func (c *Context) newSampler(o llm.SampleOptions, prompt []int32) (*C.struct_llama_sampler, error) {
	chain := C.llama_sampler_chain_init(C.llama_sampler_chain_default_params())
	if err := c.addBias(chain, o.LogitBias); err != nil {
		C.llama_sampler_free(chain)
		return nil, err
	}
	if p := newPenalties(o); p != nil {
		for _, t := range prompt {
			C.llama_sampler_accept(p, C.llama_token(t))
		}
		C.llama_sampler_chain_add(chain, p)
	}
	if o.Grammar != "" {
		g, err := c.newGrammar(o.Grammar)
		if err != nil {
			C.llama_sampler_free(chain)
			return nil, err
		}
		C.llama_sampler_chain_add(chain, g)
	}
	addDraw(chain, o)
	return chain, nil
}

// newPenalties is the repeat, frequency and presence penalty sampler, nil
// when all are off.
func newPenalties(o llm.SampleOptions) *C.struct_llama_sampler {
	repeat := o.RepeatPenalty
	if repeat <= 0 {
		repeat = 1
	}
	if repeat == 1 && o.FrequencyPenalty == 0 && o.PresencePenalty == 0 {
		return nil
	}
	lastN := o.RepeatLastN
	if lastN == 0 {
		lastN = 64
	}
	return C.llama_sampler_init_penalties(C.int32_t(lastN), C.float(repeat), C.float(o.FrequencyPenalty), C.float(o.PresencePenalty))
}

// addBias adds the logit bias sampler; token ids outside the vocabulary are
// an error rather than memory the engine would write past.
func (c *Context) addBias(chain *C.struct_llama_sampler, bias map[int32]float32) error {
	if len(bias) == 0 {
		return nil
	}
	n := int32(C.llama_vocab_n_tokens(c.model.vocab))
	biases := make([]C.llama_logit_bias, 0, len(bias))
	for t, b := range bias {
		if t < 0 || t >= n {
			return fmt.Errorf("logit bias on token %d: %w (vocabulary of %d tokens)", t, llm.ErrInvalidOption, n)
		}
		if math.IsNaN(float64(b)) {
			return fmt.Errorf("logit bias on token %d is NaN: %w", t, llm.ErrInvalidOption)
		}
		biases = append(biases, C.llama_logit_bias{token: C.llama_token(t), bias: C.float(b)})
	}
	// The engine copies the biases before returning.
	C.llama_sampler_chain_add(chain, C.llama_sampler_init_logit_bias(C.int32_t(n), C.int32_t(len(biases)), &biases[0]))
	return nil
}

// newGrammar parses a GBNF grammar whose start rule is "root".
func (c *Context) newGrammar(grammar string) (*C.struct_llama_sampler, error) {
	cg := C.CString(grammar)
	defer C.free(unsafe.Pointer(cg))
	root := C.CString("root")
	defer C.free(unsafe.Pointer(root))
	g := C.llama_sampler_init_grammar(c.model.vocab, cg, root)
	if g == nil {
		msg := lastEngineError()
		if msg == "" {
			msg = "the engine could not parse it"
		}
		return nil, fmt.Errorf("grammar: %w: %s", llm.ErrInvalidOption, msg)
	}
	return g, nil
}

// addDraw adds the truncation samplers and the final draw.
func addDraw(chain *C.struct_llama_sampler, o llm.SampleOptions) {
	if o.Temperature <= 0 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_greedy())
		return
	}
	if o.TopK > 0 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_top_k(C.int32_t(o.TopK)))
	}
	if o.TopP > 0 && o.TopP < 1 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_top_p(C.float(o.TopP), 1))
	}
	if o.MinP > 0 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_min_p(C.float(o.MinP), 1))
	}
	C.llama_sampler_chain_add(chain, C.llama_sampler_init_temp(C.float(o.Temperature)))
	seed := C.uint32_t(C.LLAMA_DEFAULT_SEED) // the engine draws a random seed
	if o.Seed >= 0 {
		seed = C.uint32_t(o.Seed)
	}
	C.llama_sampler_chain_add(chain, C.llama_sampler_init_dist(seed))
}
