package eval

import (
	"math"
	"regexp"
	"strings"
)

// codeToken matches one BLEU token: an identifier or keyword, a number, or
// any other single non-space character (operators and punctuation each count
// as a token, so "a+=b" is "a", "+", "=", "b"). Whitespace only separates.
var codeToken = regexp.MustCompile(`[\p{L}_][\p{L}\p{N}_]*|\p{N}+(?:\.\p{N}+)?|\S`)

// Tokenize splits code into the tokens BLEU counts; see codeToken.
func Tokenize(code string) []string {
	return codeToken.FindAllString(code, -1)
}

// BLEUOrder is the longest n-gram BLEU counts (BLEU-4).
const BLEUOrder = 4

// BLEU accumulates clipped n-gram matches over a corpus of
// (candidate, reference) pairs, one reference each, and reports corpus-level
// BLEU-4: the geometric mean of the four modified precisions, each summed over
// the whole corpus before dividing, times the brevity penalty
// exp(1 - r/c) when the total candidate length c is below the total reference
// length r. Candidate and reference are tokenized with Tokenize.
//
// Smoothing: an order with zero matches would make the score 0 for the whole
// corpus, so such an order uses 1/(2^k · total) instead, k counting the
// zero-match orders so far (the "exp" smoothing of NIST's mteval). Orders with
// matches are not changed, so on a corpus with matches at every order the
// score is plain unsmoothed BLEU. The zero value is an empty corpus.
type BLEU struct {
	matches, totals [BLEUOrder]int
	candLen, refLen int
}

// Add counts one candidate against its reference.
func (b *BLEU) Add(candidate, reference string) {
	c, r := Tokenize(candidate), Tokenize(reference)
	b.candLen += len(c)
	b.refLen += len(r)
	for n := 1; n <= BLEUOrder; n++ {
		ref := ngrams(r, n)
		for g, cnt := range ngrams(c, n) {
			b.matches[n-1] += min(cnt, ref[g])
		}
		b.totals[n-1] += max(len(c)-n+1, 0)
	}
}

// Score is the corpus BLEU-4 in [0, 1]; 0 for an empty corpus or when the
// candidates are empty.
func (b *BLEU) Score() float64 {
	if b.candLen == 0 || b.refLen == 0 {
		return 0
	}
	logSum := 0.0
	zeros := 0
	for n := range BLEUOrder {
		p := 0.0
		switch {
		case b.totals[n] == 0:
			// A candidate corpus shorter than n tokens: nothing to match.
			return 0
		case b.matches[n] == 0:
			zeros++
			p = 1 / (math.Pow(2, float64(zeros)) * float64(b.totals[n]))
		default:
			p = float64(b.matches[n]) / float64(b.totals[n])
		}
		logSum += math.Log(p)
	}
	bp := 1.0
	if b.candLen < b.refLen {
		bp = math.Exp(1 - float64(b.refLen)/float64(b.candLen))
	}
	return bp * math.Exp(logSum/BLEUOrder)
}

func ngrams(toks []string, n int) map[string]int {
	out := make(map[string]int, len(toks))
	for i := 0; i+n <= len(toks); i++ {
		// \x00 cannot occur inside a token, so the join is unambiguous.
		out[strings.Join(toks[i:i+n], "\x00")]++
	}
	return out
}
