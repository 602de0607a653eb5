package analysis

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name                 string
		values               []int64
		mean                 float64
		median, p90, lo, top int64
	}{
		{"empty", nil, 0, 0, 0, 0, 0},
		{"one", []int64{7}, 7, 7, 7, 7, 7},
		{"even count takes the lower middle", []int64{4, 1, 3, 2}, 2.5, 2, 4, 1, 4},
		{"ten values", []int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5.5, 5, 9, 1, 10},
		{"negative counts as zero", []int64{-5, 3}, 1.5, 0, 3, 0, 3},
		{"large values clamp to the maximum", []int64{1 << 40, 1 << 40}, 1 << 40, 1 << 40, 1 << 40, 1 << 40, 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.values {
				h.Add(v)
			}
			if h.Count() != uint64(len(tt.values)) || h.Mean() != tt.mean || h.Quantile(0.5) != tt.median ||
				h.Quantile(0.9) != tt.p90 || h.Min() != tt.lo || h.Max() != tt.top {
				t.Errorf("count %d mean %v median %d p90 %d min %d max %d; want %d %v %d %d %d %d",
					h.Count(), h.Mean(), h.Quantile(0.5), h.Quantile(0.9), h.Min(), h.Max(),
					len(tt.values), tt.mean, tt.median, tt.p90, tt.lo, tt.top)
			}
		})
	}
}

// TestHistogramBuckets checks the layout the error bound rests on: every
// value lies in its bucket, buckets tile the integers without gaps, and none
// is wider than 1/128 of its lower bound.
func TestHistogramBuckets(t *testing.T) {
	prevHi := int64(-1)
	for i := 0; i < 56*subBuckets; i++ {
		lo, hi := bucketRange(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, after %d", i, lo, prevHi)
		}
		if lo >= exactBelow && (hi-lo+1)*subBuckets > lo {
			t.Fatalf("bucket %d [%d,%d] is wider than 1/%d of %d", i, lo, hi, subBuckets, lo)
		}
		for _, v := range []int64{lo, hi, lo + (hi-lo)/2} {
			if got := bucketOf(v); got != i {
				t.Fatalf("bucketOf(%d) = %d, want %d", v, got, i)
			}
		}
		prevHi = hi
	}
}

// TestHistogramQuantileError compares with exact nearest-rank quantiles of
// sorted data spread over six orders of magnitude.
func TestHistogramQuantileError(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]int64, 200_000)
	var h Histogram
	for i := range values {
		values[i] = int64(rng.ExpFloat64() * float64(int64(1)<<rng.IntN(20)))
		h.Add(values[i])
	}
	slices.Sort(values)
	for _, p := range []float64{0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999} {
		rank := int(float64(len(values))*p+0.999999) - 1
		exact, got := values[rank], h.Quantile(p)
		if diff := max(got-exact, exact-got); float64(diff) > float64(exact)/256 {
			t.Errorf("p%v: got %d, exact %d: error %d above 1/256", p*100, got, exact, diff)
		}
	}
}

func TestHistogramBins(t *testing.T) {
	var h Histogram
	for _, v := range []int64{0, 3, 255, 256, 511, 512, 1 << 20} {
		h.Add(v)
	}
	got := h.Bins([]int64{0, 4, 256, 512, 1 << 20})
	want := []Bin{bin(0, 3, 2), bin(4, 255, 1), bin(256, 511, 2), bin(512, 1<<20-1, 1), openBin(1<<20, 1)}
	checkReport(t, got, want)

	// Empty bins at both ends are dropped, inner ones kept.
	var g Histogram
	g.Add(5)
	g.Add(40)
	checkReport(t, g.Bins(log2Edges(1000)), []Bin{bin(4, 7, 1), bin(8, 15, 0), bin(16, 31, 0), bin(32, 63, 1)})
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	for v := range int64(1000) {
		if v%3 == 0 {
			a.Add(v * v)
		} else {
			b.Add(v * v)
		}
		all.Add(v * v)
	}
	a.Merge(&b)
	checkReport(t, distOf(&a, log2Edges(a.Max())), distOf(&all, log2Edges(all.Max())))
}

func TestLineCount(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{"", 0},
		{"x", 1},
		{"x\n", 1},
		{"x\ny", 2},
		{"x\ny\n", 2},
		{"\n", 1},
		{"x\n\n", 2},
	}
	for _, tt := range tests {
		if got := lineCount(tt.code); got != tt.want {
			t.Errorf("lineCount(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}
