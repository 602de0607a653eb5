package eval

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a+=b1 * 3.14", []string{"a", "+", "=", "b1", "*", "3.14"}},
		{"foo_bar(x)\n\treturn", []string{"foo_bar", "(", "x", ")", "return"}},
		{"  ", nil},
		{`s := "héllo"`, []string{"s", ":", "=", `"`, "héllo", `"`}},
	}
	for _, tt := range tests {
		if got := Tokenize(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBLEU(t *testing.T) {
	tests := []struct {
		name  string
		pairs [][2]string // candidate, reference
		want  float64
	}{
		// p1..p4 = 4/5, 3/4, 2/3, 1/2; equal lengths, no brevity penalty.
		{"one pair", [][2]string{{"a b c d e", "a b c d f"}}, math.Pow(0.2, 0.25)},
		// Precisions all 1; c=8, r=10 gives BP = exp(1-10/8).
		{"brevity penalty", [][2]string{{"a b c d", "a b c d e f"}, {"x y z w", "x y z w"}}, math.Exp(-0.25)},
		// Clipping: "the" counts once; orders 2..4 have no matches and are
		// smoothed to 1/(2·3), 1/(4·2), 1/(8·1).
		{"clipped and smoothed", [][2]string{{"the the the the", "the cat"}}, math.Pow(1.0/4*1.0/6*1.0/8*1.0/8, 0.25)},
		{"identical", [][2]string{{"return a + b", "return a + b"}}, 1},
		{"empty candidate", [][2]string{{"", "return a"}}, 0},
		{"too short for 4-grams", [][2]string{{"a b", "a b"}}, 0},
		{"empty corpus", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b BLEU
			for _, p := range tt.pairs {
				b.Add(p[0], p[1])
			}
			if got := b.Score(); !near(got, tt.want) {
				t.Errorf("BLEU = %.10f, want %.10f", got, tt.want)
			}
		})
	}
}

func TestExactMatchAndEditSimilarity(t *testing.T) {
	tests := []struct {
		cand, ref string
		exact     bool
		sim       float64
	}{
		{"kitten", "sitting", false, 1 - 3.0/7},
		{"\n  return x  \n\n", "  return x", true, 1},
		{"abc", "", false, 0},
		{"", "", true, 1},
		{"return 1\r\n", "return 1", true, 1},
		{"é", "e", false, 0},
	}
	for _, tt := range tests {
		if got := ExactMatch(tt.cand, tt.ref); got != tt.exact {
			t.Errorf("ExactMatch(%q, %q) = %v", tt.cand, tt.ref, got)
		}
		if got := EditSimilarity(tt.cand, tt.ref); !near(got, tt.sim) {
			t.Errorf("EditSimilarity(%q, %q) = %v, want %v", tt.cand, tt.ref, got, tt.sim)
		}
	}
}

func TestPassAtK(t *testing.T) {
	tests := []struct {
		n, c, k int
		want    float64
		ok      bool
	}{
		{10, 3, 1, 0.3, true},
		{5, 2, 2, 1 - 3.0/10, true}, // 1 - C(3,2)/C(5,2)
		{10, 0, 5, 0, true},
		{4, 3, 2, 1, true},                       // fewer failures than k
		{200, 10, 100, 0.9992289739372822, true}, // 1 - C(190,100)/C(200,100), exact integers
		{3, 1, 5, 0, false},
		{3, 4, 1, 0, false},
	}
	for _, tt := range tests {
		got, ok := PassAtK(tt.n, tt.c, tt.k)
		if ok != tt.ok || !near(got, tt.want) {
			t.Errorf("PassAtK(%d,%d,%d) = %v,%v; want %v,%v", tt.n, tt.c, tt.k, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		xs      []float64
		p, want float64
	}{
		{[]float64{4, 1, 3, 2}, 50, 2.5},
		{[]float64{4, 1, 3, 2}, 95, 3.85}, // rank 0.95·3 = 2.85
		{[]float64{7}, 95, 7},
		{[]float64{1, 2, 3}, 0, 1},
		{[]float64{1, 2, 3}, 100, 3},
	}
	for _, tt := range tests {
		if got := Percentile(tt.xs, tt.p); !near(got, tt.want) {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.xs, tt.p, got, tt.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("Percentile of nothing should be NaN")
	}
}

func ExamplePassAtK() {
	// 10 samples of a task, 3 of them pass: the chance that at least one of
	// 5 drawn samples passes is 1 - C(7,5)/C(10,5) = 1 - 21/252.
	p, _ := PassAtK(10, 3, 5)
	fmt.Printf("%.4f\n", p)
	// Output: 0.9167
}
