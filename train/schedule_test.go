package train

import (
	"math"
	"testing"
)

func TestSchedule(t *testing.T) {
	for _, tc := range []struct {
		s    Schedule
		step int
		want float64
	}{
		{Schedule{Kind: "cosine", LR: 1, MinLR: 0, Warmup: 10, Total: 110}, 5, 0.5},
		{Schedule{Kind: "cosine", LR: 1, MinLR: 0, Warmup: 10, Total: 110}, 10, 1},
		{Schedule{Kind: "cosine", LR: 1, MinLR: 0, Warmup: 10, Total: 110}, 60, 0.5},
		{Schedule{Kind: "cosine", LR: 1, MinLR: 0.1, Warmup: 10, Total: 110}, 110, 0.1},
		{Schedule{Kind: "linear", LR: 1, MinLR: 0, Warmup: 0, Total: 100}, 25, 0.75},
		{Schedule{Kind: "linear", LR: 1, MinLR: 0, Warmup: 0, Total: 100}, 200, 0},
		{Schedule{Kind: "constant", LR: 2e-4, Warmup: 4}, 2, 1e-4},
		{Schedule{Kind: "constant", LR: 2e-4, Warmup: 4}, 50, 2e-4},
	} {
		if got := tc.s.At(tc.step); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%+v at step %d = %g, want %g", tc.s, tc.step, got, tc.want)
		}
	}
}

func TestScheduleCheck(t *testing.T) {
	for _, s := range []Schedule{
		{Kind: "step", LR: 1},
		{Kind: "cosine", LR: 0},
		{Kind: "cosine", LR: 1, MinLR: 2},
		{Kind: "cosine", LR: 1, Warmup: -1},
	} {
		if s.check() == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}
