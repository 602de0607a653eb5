package train

import (
	"math"

	"github.com/codeloom/codeloom/bindings"
)

// UnigramLoss is the validation cross-entropy of the unigram model of the
// training targets (add-one smoothed over the vocabulary): the loss of a
// model that ignores context, which a trained model must go far below.
func UnigramLoss(train, val []bindings.Window, vocab int) float64 {
	counts := make([]float64, vocab)
	total := float64(vocab)
	for _, w := range train {
		for _, l := range w.Labels {
			if l >= 0 && int(l) < vocab {
				counts[l]++
				total++
			}
		}
	}
	var nll float64
	var n int
	for _, w := range val {
		for _, l := range w.Labels {
			if l >= 0 && int(l) < vocab {
				nll -= math.Log((counts[l] + 1) / total)
				n++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return nll / float64(n)
}
