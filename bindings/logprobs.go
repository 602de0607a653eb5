package bindings

/*
#include "infer.h"
*/
import "C"

import (
	"bytes"
	"math"
	"unsafe"

	"github.com/codeloom/codeloom/llm"
)

// tokenLogProb is the log-probability of tok, and of the top most likely
// tokens, under the softmax of output row idx's raw logits: the model's own
// distribution, before the sampler chain biases, penalises or truncates it.
func (c *Context) tokenLogProb(idx int, tok int32, piece []byte, top int) llm.TokenLogProb {
	n := int(C.llama_vocab_n_tokens(c.model.vocab))
	logits := unsafe.Slice((*float32)(unsafe.Pointer(C.llama_get_logits_ith(c.c.lctx, C.int32_t(idx)))), n)
	mx := logits[0]
	for _, l := range logits {
		mx = max(mx, l)
	}
	sum := 0.0
	for _, l := range logits {
		sum += math.Exp(float64(l - mx))
	}
	lse := float64(mx) + math.Log(sum)
	out := llm.TokenLogProb{TokenProb: llm.TokenProb{Token: tok, Piece: bytes.Clone(piece), LogProb: float64(logits[tok]) - lse}}
	for _, t := range topTokens(logits, top) {
		out.Top = append(out.Top, llm.TokenProb{Token: t, Piece: c.model.Piece(t), LogProb: float64(logits[t]) - lse})
	}
	return out
}

// topTokens returns the ids of the k largest logits, largest first (ties
// by lower id), by insertion into a list of k: k is small (at most
// llm.MaxTopLogProbs), the vocabulary large.
func topTokens(logits []float32, k int) []int32 {
	top := make([]int32, 0, k+1)
	for i, l := range logits {
		if len(top) == k && (k == 0 || l <= logits[top[k-1]]) {
			continue
		}
		j := len(top)
		for j > 0 && l > logits[top[j-1]] {
			j--
		}
		top = append(top, 0)
		copy(top[j+1:], top[j:])
		top[j] = int32(i)
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}
