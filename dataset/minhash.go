package dataset

import (
	"math"
	"math/bits"
)

const (
	numPerm    = 128 // MinHash bins: estimate error about 1/sqrt(128) ≈ 9%
	shingleLen = 5   // tokens per shingle
)

// signature is a MinHash sketch of a function's token shingles: the share
// of equal positions of two sketches estimates the Jaccard similarity of
// their shingle sets.
type signature [numPerm]uint32

// empty marks a bin no shingle fell into.
const empty = math.MaxUint32

// minhash sketches code with one permutation hashing: each shingle is
// hashed once, the top bits of the hash pick one of numPerm bins and the
// bin keeps the smallest low half it sees. Empty bins then borrow from the
// next filled bin to their right, mixed with the distance (rotation
// densification), so equal sets still give equal sketches. This costs one
// hash per shingle instead of numPerm. Functions shorter than one shingle
// are one shingle. It also returns the token estimate of Fingerprint.Tokens,
// counted in the same scan.
func minhash(code string) (signature, int) {
	var sig signature
	for i := range sig {
		sig[i] = empty
	}
	// Token hashes are gathered in a window on the stack and its shingles
	// hashed when it is full, keeping the last shingleLen-1 tokens for the
	// shingles that straddle windows: a tight loop apart from the
	// tokenizer's branches lets the processor overlap the independent
	// shingles' chains of multiplications, and long functions need no heap.
	var window [256]uint64
	n, total, tokens := 0, 0, 0
	for i := 0; i < len(code); {
		// Tokens (see tokenClass), hashed as they are scanned: fnv64 of each.
		c := code[i]
		h := (fnvOffset ^ uint64(c)) * fnvPrime
		i++
		switch tokenClass[c] {
		case tokSpace:
			continue
		case tokWord:
			start := i - 1
			for ; i < len(code) && tokenClass[code[i]] == tokWord; i++ {
				h = (h ^ uint64(code[i])) * fnvPrime
			}
			tokens += (i - start - 1) / 6 // long words count extra, see Fingerprint.Tokens
		}
		tokens++
		window[n] = h
		n++
		if n == len(window) {
			sig.addShingles(window[:n])
			total += n - copy(window[:], window[n-(shingleLen-1):n])
			n = shingleLen - 1
		}
	}
	sig.addShingles(window[:n])
	if total+n > 0 && total+n < shingleLen {
		sig.add(shingleHash(window[:n]))
	}
	densify(&sig)
	return sig, tokens
}

// addShingles adds every shingle of consecutive token hashes in toks.
func (sig *signature) addShingles(toks []uint64) {
	for i := 0; i+shingleLen <= len(toks); i++ {
		sig.add(shingleHash(toks[i : i+shingleLen]))
	}
}

// shingleHash hashes a shingle of token hashes: each rotated by its
// place, so that order counts, and the combination mixed once. (Mixing
// after each token, as before, cost four more multiplication chains per
// shingle, for no better spread of the bins.)
func shingleHash(toks []uint64) uint64 {
	var sh uint64
	for i, t := range toks {
		sh ^= bits.RotateLeft64(t, 13*i)
	}
	return mix64(sh)
}

// add puts a shingle's hash into its bin.
func (sig *signature) add(sh uint64) {
	bin := sh >> (64 - binBits)
	sig[bin] = min(sig[bin], uint32(sh))
}

// binBits is log2(numPerm).
const binBits = 7

func densify(sig *signature) {
	for i := range sig {
		if sig[i] != empty {
			continue
		}
		for t := 1; t < numPerm; t++ {
			if v := sig[(i+t)%numPerm]; v != empty {
				sig[i] = uint32(mix64(uint64(v) + uint64(t)*0x9e3779b97f4a7c15))
				break
			}
		}
	}
}

// FNV-1a's 64-bit constants: minhash hashes tokens with it.
const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)

// similarity estimates the Jaccard similarity of two sketches.
func (s *signature) similarity(o *signature) float64 {
	eq := 0
	for i := range s {
		if s[i] == o[i] {
			eq++
		}
	}
	return float64(eq) / numPerm
}

// mix64 is the splitmix64 finalizer: a fast, well-spread 64-bit hash.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// defaultLSH is lshParams(DefaultNearThreshold), which nearly every run
// uses: the search costs milliseconds (TestLSHParams checks the values).
var defaultLSH = [2]int{8, 16}

// lshParamsFor is lshParams without the search for the default threshold.
func lshParamsFor(threshold float64) (bands, rows int) {
	if threshold == DefaultNearThreshold {
		return defaultLSH[0], defaultLSH[1]
	}
	return lshParams(threshold)
}

// lshParams picks the bands and rows per band (bands*rows <= numPerm) that
// minimize the equally weighted chances of a false positive (pairs below
// threshold that share a band) and a false negative (pairs above it that
// share none), integrating the banding S-curve 1-(1-s^r)^b numerically.
func lshParams(threshold float64) (bands, rows int) {
	best := math.Inf(1)
	for b := 1; b <= numPerm; b++ {
		for r := 1; b*r <= numPerm; r++ {
			p := func(s float64) float64 { return 1 - math.Pow(1-math.Pow(s, float64(r)), float64(b)) }
			fp := integrate(p, 0, threshold)
			fn := integrate(func(s float64) float64 { return 1 - p(s) }, threshold, 1)
			if e := fp + fn; e < best {
				best, bands, rows = e, b, r
			}
		}
	}
	return bands, rows
}

func integrate(f func(float64) float64, a, b float64) float64 {
	const steps = 64
	h := (b - a) / steps
	sum := (f(a) + f(b)) / 2
	for i := 1; i < steps; i++ {
		sum += f(a + float64(i)*h)
	}
	return sum * h
}
