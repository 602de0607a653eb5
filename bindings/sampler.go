package bindings

/*
#include "llama.h"
*/
import "C"

import "github.com/codeloom/codeloom/llm"

// newSampler builds the engine's sampler chain in the usual order:
// penalties, top-k, top-p, min-p, temperature, then the draw. The prompt's
// tokens count as recent tokens for the repeat penalty.
func newSampler(o llm.SampleOptions, prompt []int32) *C.struct_llama_sampler {
	chain := newChain(o)
	if o.RepeatPenalty > 0 && o.RepeatPenalty != 1 {
		for _, t := range prompt {
			C.llama_sampler_accept(chain, C.llama_token(t))
		}
	}
	return chain
}

func newChain(o llm.SampleOptions) *C.struct_llama_sampler {
	chain := C.llama_sampler_chain_init(C.llama_sampler_chain_default_params())
	if o.RepeatPenalty > 0 && o.RepeatPenalty != 1 {
		lastN := o.RepeatLastN
		if lastN == 0 {
			lastN = 64
		}
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_penalties(C.int32_t(lastN), C.float(o.RepeatPenalty), 0, 0))
	}
	if o.Temperature <= 0 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_greedy())
		return chain
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
	return chain
}
