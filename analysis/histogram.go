package analysis

import (
	"math"
	"math/bits"
)

// Histogram counts non-negative integers in log-linear buckets, so that a
// length or complexity distribution over millions of records takes a few
// kilobytes and still answers quantiles closely:
//
//   - values below 256 each have their own bucket (exact);
//   - above, every power-of-two range [2^k, 2^(k+1)) is split into 128 equal
//     buckets, so a bucket is at most 1/128 of its lower bound wide.
//
// A quantile is reported as the middle of the bucket that holds it, hence
// within 1/256 (0.4%) of a value that truly sits at that rank; mean, min and
// max are exact. The zero value is ready to use.
type Histogram struct {
	counts   []uint64 // by bucket index, grown on demand
	n        uint64
	sum      float64
	min, max int64
}

// subBits sets the precision: 2^subBits buckets per power of two.
const (
	subBits    = 7
	subBuckets = 1 << subBits
	exactBelow = 2 * subBuckets // values below this are their own bucket
)

// bucketOf returns the index of the bucket holding v (v >= 0).
func bucketOf(v int64) int {
	if v < exactBelow {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits - 1
	return shift*subBuckets + int(v>>shift)
}

// bucketRange returns the smallest and largest value of bucket i.
func bucketRange(i int) (lo, hi int64) {
	if i < exactBelow {
		return int64(i), int64(i)
	}
	shift := i>>subBits - 1
	lo = int64(i-shift*subBuckets) << shift
	return lo, lo + int64(1)<<shift - 1
}

// Add counts one value; negative values count as 0.
func (h *Histogram) Add(v int64) {
	v = max(v, 0)
	i := bucketOf(v)
	if i >= len(h.counts) {
		h.counts = append(h.counts, make([]uint64, i+1-len(h.counts))...)
	}
	h.counts[i]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if h.n == 0 || v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

// Merge adds every value counted by o.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	if len(o.counts) > len(h.counts) {
		h.counts = append(h.counts, make([]uint64, len(o.counts)-len(h.counts))...)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if h.n == 0 || o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of values added.
func (h *Histogram) Count() uint64 { return h.n }

// Mean is the exact arithmetic mean, 0 when empty.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return h.sum / float64(h.n)
}

// Min and Max are exact; both are 0 when empty.
func (h *Histogram) Min() int64 { return h.min }
func (h *Histogram) Max() int64 { return h.max }

// Quantile returns the nearest-rank p-quantile (0 < p <= 1): the smallest
// value that at least ceil(p*n) values do not exceed, so the median of an
// even count is the lower middle value. It is exact below 256 and within
// 1/256 relative above (see Histogram); 0 when empty.
func (h *Histogram) Quantile(p float64) int64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(i)
			// The bucket's middle, kept inside what was really seen.
			return min(max(lo+(hi-lo)/2, h.min), h.max)
		}
	}
	return h.max
}

// Bin is a range of values [Lo, Hi] and how many values fell into it; a nil
// Hi means no upper bound.
type Bin struct {
	Lo    int64  `json:"lo"`
	Hi    *int64 `json:"hi"`
	Count uint64 `json:"count"`
}

// Bins counts values in the ranges [edges[i], edges[i+1]-1], the last one
// open-ended, dropping empty bins at both ends. Edges must increase. A bucket is
// counted in the bin holding its lower bound, which is exact when every edge
// is a bucket boundary: any edge below 256 and any power of two.
func (h *Histogram) Bins(edges []int64) []Bin {
	out := make([]Bin, len(edges))
	for i, e := range edges {
		out[i].Lo = e
		if i+1 < len(edges) {
			hi := edges[i+1] - 1
			out[i].Hi = &hi
		}
	}
	b := 0
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		lo, _ := bucketRange(i)
		for b+1 < len(edges) && lo >= edges[b+1] {
			b++
		}
		if lo >= edges[0] {
			out[b].Count += c
		}
	}
	first, last := 0, len(out)
	for last > 0 && out[last-1].Count == 0 {
		last--
	}
	for first < last && out[first].Count == 0 {
		first++
	}
	return out[first:last]
}

// log2Edges returns 0, 1, 2, 4, ... up to the largest power of two not above
// top: bins that suit lengths, which spread over orders of magnitude.
func log2Edges(top int64) []int64 {
	edges := []int64{0}
	for e := int64(1); e <= top && e > 0; e *= 2 {
		edges = append(edges, e)
	}
	return edges
}
