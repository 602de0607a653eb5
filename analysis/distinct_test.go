package analysis

import (
	"fmt"
	"math"
	"strconv"
	"testing"
)

func TestDistinct(t *testing.T) {
	tests := []struct {
		n         int
		estimated bool
		tolerance float64 // relative
	}{
		{0, false, 0},
		{1, false, 0},
		{exactLimit, false, 0},
		{exactLimit + 1, true, 0.01},
		{150_000, true, 0.01},
		{250_000, true, 0.01},
		{400_000, true, 0.01},
		{1_000_000, true, 0.01},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			var d distinct
			for i := range tt.n {
				path := fmt.Sprintf("src/file%d.go", i)
				d.add("github.com/o/r", path)
				d.add("github.com/o/r", path) // repeats do not count
			}
			n, estimated := d.count()
			if estimated != tt.estimated {
				t.Errorf("estimated = %v, want %v", estimated, tt.estimated)
			}
			err := math.Abs(float64(n-tt.n)) / max(1, float64(tt.n))
			t.Logf("counted %d of %d (error %.3f%%)", n, tt.n, 100*err)
			if err > tt.tolerance {
				t.Errorf("counted %d of %d distinct keys: error %.2f%% above %.2f%%", n, tt.n, 100*err, 100*tt.tolerance)
			}
		})
	}
}

func TestHashKeySeparatesParts(t *testing.T) {
	if hashKey("ab", "c") == hashKey("a", "bc") {
		t.Error(`("ab","c") and ("a","bc") hash alike`)
	}
	if a, b := hashKey("a", "b"), hashKey("a", "b"); a != b {
		t.Error("hashKey is not deterministic")
	}
}
