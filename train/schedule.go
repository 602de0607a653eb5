package train

import (
	"fmt"
	"math"
)

// Schedule is the learning rate over optimizer steps: a linear warmup from 0
// to LR over Warmup steps, then a decay to MinLR at step Total.
type Schedule struct {
	Kind   string  `json:"kind"` // "cosine", "linear" or "constant"
	LR     float64 `json:"lr"`
	MinLR  float64 `json:"min_lr"`
	Warmup int     `json:"warmup"`
	Total  int     `json:"total"`
}

func (s Schedule) check() error {
	switch s.Kind {
	case "cosine", "linear", "constant":
	default:
		return fmt.Errorf("unknown schedule %q (want cosine, linear or constant)", s.Kind)
	}
	if s.LR <= 0 || s.MinLR < 0 || s.MinLR > s.LR {
		return fmt.Errorf("learning rate %g and minimum %g: want 0 <= min <= lr, lr > 0", s.LR, s.MinLR)
	}
	if s.Warmup < 0 {
		return fmt.Errorf("warmup %d must not be negative", s.Warmup)
	}
	return nil
}

// At is the learning rate of 1-based optimizer step.
func (s Schedule) At(step int) float64 {
	if step <= s.Warmup {
		return s.LR * float64(step) / float64(s.Warmup)
	}
	if s.Kind == "constant" || s.Total <= s.Warmup {
		return s.LR
	}
	p := math.Min(1, float64(step-s.Warmup)/float64(s.Total-s.Warmup))
	if s.Kind == "linear" {
		return s.MinLR + (s.LR-s.MinLR)*(1-p)
	}
	return s.MinLR + (s.LR-s.MinLR)*0.5*(1+math.Cos(math.Pi*p))
}
