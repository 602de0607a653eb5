package eval

import (
	"math"
	"slices"
)

// Percentile is the p-th percentile (0..100) of xs with linear interpolation
// between the closest ranks (rank p/100·(n-1), 0-based), so p50 of an even
// count is the mean of the two middle values. NaN for no values.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(rank))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (s[hi]-s[lo])*(rank-float64(lo))
}
