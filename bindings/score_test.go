package bindings

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/llm"
)

// tokenLogProbs decodes toks one at a time and returns log p(toks[i] |
// toks[:i]) from the logits, computed in Go: the reference for Score and
// Perplexity, which do the same in batches in C.
func tokenLogProbs(t *testing.T, c *Context, toks []int32) []float64 {
	t.Helper()
	out := make([]float64, len(toks))
	for i := 0; i < len(toks)-1; i++ {
		if err := c.Decode(context.Background(), toks[i:i+1], i); err != nil {
			t.Fatal(err)
		}
		logits, err := c.Logits()
		if err != nil {
			t.Fatal(err)
		}
		mx := math.Inf(-1)
		for _, v := range logits {
			mx = math.Max(mx, float64(v))
		}
		var sum float64
		for _, v := range logits {
			sum += math.Exp(float64(v) - mx)
		}
		out[i+1] = float64(logits[toks[i+1]]) - mx - math.Log(sum)
	}
	return out
}

func TestPerplexityMatchesTokenByToken(t *testing.T) {
	m := stories(t)
	c := newCtx(t, m, ContextParams{NCtx: 256, NBatch: 16})
	text := "Once upon a time, there was a little dog named Max. Max liked to run in the park with his friend."
	toks, err := m.Tokenize(text, true)
	if err != nil {
		t.Fatal(err)
	}
	lp := tokenLogProbs(t, c, toks)
	var nll float64
	for _, v := range lp[1:] {
		nll -= v
	}
	want := nll / float64(len(toks)-1)
	p, err := c.Perplexity(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if p.Tokens != len(toks)-1 {
		t.Errorf("scored %d tokens, want %d", p.Tokens, len(toks)-1)
	}
	if math.Abs(p.MeanNLL-want) > 5e-4 || math.Abs(p.PPL-math.Exp(want)) > 1e-3*p.PPL {
		t.Errorf("perplexity %+v, token by token mean NLL %v (ppl %v)", p, want, math.Exp(want))
	}

	// Score of a continuation is the sum of its tokens' log-probabilities.
	prompt, cont := "Once upon a time,", " there was a little dog"
	pt, _ := m.Tokenize(prompt, true)
	ct, _ := m.Tokenize(cont, false)
	all := append(append([]int32{}, pt...), ct...)
	lp = tokenLogProbs(t, c, all)
	var sum float64
	for _, v := range lp[len(pt):] {
		sum += v
	}
	s, err := c.Score(context.Background(), prompt, cont)
	if err != nil {
		t.Fatal(err)
	}
	// Batched and one-token decodes take different kernels: allow float
	// rounding, well below what a wrong token or position would cost.
	if s.Tokens != len(ct) || math.Abs(s.LogProb-sum) > 5e-4*float64(len(ct)) {
		t.Errorf("score %+v, token by token %v over %d tokens", s, sum, len(ct))
	}
	// A likely continuation scores higher than an unlikely one.
	bad, err := c.Score(context.Background(), prompt, " purple seventeen algebra")
	if err != nil {
		t.Fatal(err)
	}
	if bad.LogProb/float64(bad.Tokens) >= s.LogProb/float64(s.Tokens) {
		t.Errorf("unlikely continuation scored %v per token, likely %v", bad.LogProb/float64(bad.Tokens), s.LogProb/float64(s.Tokens))
	}
}

func TestPerplexityLongTextWindows(t *testing.T) {
	m := stories(t)
	c := newCtx(t, m, ContextParams{NCtx: 256})
	text := strings.Repeat("The cat sat on the mat and looked at the sun. ", 40)
	toks, _ := m.Tokenize(text, true)
	if len(toks) <= c.Size() {
		t.Fatalf("text of %d tokens fits the context of %d; make it longer", len(toks), c.Size())
	}
	p, err := c.Perplexity(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if p.Tokens != len(toks)-1 {
		t.Errorf("scored %d tokens, want every token but the first (%d)", p.Tokens, len(toks)-1)
	}
	if _, err := c.Score(context.Background(), text, " the end"); !errors.Is(err, llm.ErrPromptTooLong) {
		t.Errorf("score beyond the context: err = %v", err)
	}
}
