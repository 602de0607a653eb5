package gguf

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestF16Known(t *testing.T) {
	tests := []struct {
		f float32
		h uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{65504, 0x7bff},                // largest half
		{65520, 0x7c00},                // halfway to 65536: ties to even, which is infinity
		{float32(math.Inf(1)), 0x7c00}, // infinity stays infinity
		{1.0 / (1 << 24), 0x0001},      // smallest subnormal
		{1.0 / (1 << 25), 0x0000},      // half of it: ties to even (zero)
		{1.5 / (1 << 25), 0x0001},      // above half: rounds up
		{1.0 / (1 << 14), 0x0400},      // smallest normal
		{1 + 1.0/2048, 0x3c00},         // tie between 1 and the next half: even
		{1 + 3.0/2048, 0x3c02},         // tie: even is the upper one
		{0.1, 0x2e66},                  // rounded down
		{float32(math.Float32frombits(0x7fc00000)), 0x7e00}, // NaN stays NaN
	}
	for _, tt := range tests {
		if got := F32ToF16(tt.f); got != tt.h {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", tt.f, got, tt.h)
		}
	}
}

// Every half converts to float32 and back unchanged.
func TestF16RoundTripAll(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := F16ToF32(uint16(h))
		if math.IsNaN(float64(f)) {
			if !math.IsNaN(float64(F16ToF32(F32ToF16(f)))) {
				t.Fatalf("NaN %#04x lost", h)
			}
			continue
		}
		if got := F32ToF16(f); got != uint16(h) {
			t.Fatalf("%#04x -> %g -> %#04x", h, f, got)
		}
	}
}

// F32ToF16 picks a nearest half: no neighbour is closer.
func TestF16Nearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 100000; i++ {
		f := float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-8)))
		h := F32ToF16(f)
		d := math.Abs(float64(F16ToF32(h)) - float64(f))
		for _, n := range []uint16{h - 1, h + 1} {
			if n&0x7c00 == 0x7c00 || (n^h)&0x8000 != 0 {
				continue // not a finite neighbour of the same sign
			}
			if dn := math.Abs(float64(F16ToF32(n)) - float64(f)); dn < d {
				t.Fatalf("F32ToF16(%g) = %#04x (%g), but %#04x (%g) is closer", f, h, F16ToF32(h), n, F16ToF32(n))
			}
		}
	}
}

func TestBF16(t *testing.T) {
	tests := []struct {
		f float32
		h uint16
	}{
		{1, 0x3f80},
		{-2, 0xc000},
		{math.Float32frombits(0x3f808000), 0x3f80}, // tie: even
		{math.Float32frombits(0x3f818000), 0x3f82}, // tie: even is up
		{math.Float32frombits(0x3f808001), 0x3f81}, // above the tie
		{float32(math.Inf(-1)), 0xff80},
	}
	for _, tt := range tests {
		if got := F32ToBF16(tt.f); got != tt.h {
			t.Errorf("F32ToBF16(%g) = %#04x, want %#04x", tt.f, got, tt.h)
		}
		if BF16ToF32(tt.h) != math.Float32frombits(uint32(tt.h)<<16) {
			t.Errorf("BF16ToF32(%#04x)", tt.h)
		}
	}
	if !math.IsNaN(float64(BF16ToF32(F32ToBF16(float32(math.NaN()))))) {
		t.Error("NaN lost")
	}
}
