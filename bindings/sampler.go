package bindings

/*
#include "llama.h"
*/
import "C"

import (
	"fmt"
	"math"
)

// SampleOptions choose the next token. The zero value is greedy decoding.
type SampleOptions struct {
	Temperature   float32 // 0 = greedy
	TopK          int     // 0 = off
	TopP          float32 // 0 or 1 = off
	MinP          float32 // 0 = off
	RepeatPenalty float32 // 0 or 1 = off
	RepeatLastN   int     // tokens the penalty looks back over; 0 = 64
	Seed          int64   // < 0 = random
}

// Validate reports settings outside their ranges.
func (o SampleOptions) Validate() error {
	switch {
	case o.Temperature < 0 || o.Temperature > 100 || isNaN(o.Temperature):
		return fmt.Errorf("temperature %v: want 0 to 100", o.Temperature)
	case o.TopK < 0:
		return fmt.Errorf("top-k %d: want 0 or more", o.TopK)
	case o.TopP < 0 || o.TopP > 1 || isNaN(o.TopP):
		return fmt.Errorf("top-p %v: want 0 to 1", o.TopP)
	case o.MinP < 0 || o.MinP > 1 || isNaN(o.MinP):
		return fmt.Errorf("min-p %v: want 0 to 1", o.MinP)
	case o.RepeatPenalty < 0 || o.RepeatPenalty > 10 || isNaN(o.RepeatPenalty):
		return fmt.Errorf("repeat penalty %v: want 0 to 10", o.RepeatPenalty)
	case o.RepeatLastN < 0:
		return fmt.Errorf("repeat-last-n %d: want 0 or more", o.RepeatLastN)
	case o.Seed > math.MaxUint32-1:
		return fmt.Errorf("seed %d: want below %d", o.Seed, uint32(math.MaxUint32))
	}
	return nil
}

func isNaN(f float32) bool { return f != f }

// newSampler builds the engine's sampler chain in the usual order:
// penalties, top-k, top-p, min-p, temperature, then the draw. The prompt's
// tokens count as recent tokens for the repeat penalty.
func newSampler(o SampleOptions, prompt []int32) *C.struct_llama_sampler {
	chain := newChain(o)
	if o.RepeatPenalty > 0 && o.RepeatPenalty != 1 {
		for _, t := range prompt {
			C.llama_sampler_accept(chain, C.llama_token(t))
		}
	}
	return chain
}

func newChain(o SampleOptions) *C.struct_llama_sampler {
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
