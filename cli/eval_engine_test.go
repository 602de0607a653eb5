package cli

import (
	"context"
	"math"
	"testing"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/eval"
	"github.com/codeloom/codeloom/internal/testfixture"
)

// TestEnginePerplexity checks the mean loss eval reads from an engine
// context, as the eval command wires it, against a token-by-token sum of
// log-softmax values from the logits.
func TestEnginePerplexity(t *testing.T) {
	m, err := bindings.LoadModel(testfixture.Path(t, "stories260K.gguf"), bindings.ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := m.NewContext(bindings.ContextParams{NCtx: 256, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const text = "Once upon a time, there was a little girl named Lily."
	p, err := eval.WithAdapter(c, nil, 0).Perplexity(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := m.Tokenize(text, true)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for i := 0; i+1 < len(toks); i++ {
		if err := c.Decode(context.Background(), toks[i:i+1], i); err != nil {
			t.Fatal(err)
		}
		logits, err := c.Logits()
		if err != nil {
			t.Fatal(err)
		}
		sum -= logSoftmax(logits, toks[i+1])
	}
	want := sum / float64(len(toks)-1)
	if p.Tokens != len(toks)-1 || math.Abs(p.MeanNLL-want) > 1e-4 {
		t.Errorf("Perplexity = %v over %d tokens, token-by-token sum gives %v over %d", p.MeanNLL, p.Tokens, want, len(toks)-1)
	}
}

func logSoftmax(logits []float32, tok int32) float64 {
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, float64(v))
	}
	z := 0.0
	for _, v := range logits {
		z += math.Exp(float64(v) - mx)
	}
	return float64(logits[tok]) - mx - math.Log(z)
}
