package gguf

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// Encoding then decoding stays within each type's rounding error.
func TestEncodeDecodeError(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := make([]float32, 32*64)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	tests := []struct {
		typ TensorType
		// largest error relative to the block's largest magnitude
		tol float64
	}{
		{F32, 0},
		{F16, 1.0 / 1024},
		{BF16, 1.0 / 128},
		{Q8_0, 0.5/127 + 1.0/1024},
		// Half a step of amax/8, but a whole step on the side opposite the
		// largest magnitude, where level 16 does not exist.
		{Q4_0, 1.0/8 + 1.0/1024},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			raw, err := AppendFloat32(nil, tt.typ, x)
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := tensorBytes(tt.typ, []uint64{uint64(len(x))}); uint64(len(raw)) != want {
				t.Fatalf("%d bytes, want %d", len(raw), want)
			}
			y, err := DecodeFloat32(tt.typ, raw)
			if err != nil {
				t.Fatal(err)
			}
			for b := 0; b < len(x); b += 32 {
				var amax float64
				for _, v := range x[b : b+32] {
					amax = max(amax, math.Abs(float64(v)))
				}
				for i := b; i < b+32; i++ {
					if e := math.Abs(float64(y[i] - x[i])); e > tt.tol*amax*1.01 {
						t.Fatalf("element %d: %g became %g (block max %g)", i, x[i], y[i], amax)
					}
				}
			}
		})
	}
}

// The block layouts llama.cpp expects: scale first, Q4_0 nibbles split by
// halves of the block, the largest magnitude mapped to -8.
func TestQuantLayout(t *testing.T) {
	x := make([]float32, 32)
	for i := range x {
		x[i] = float32(i - 16) // -16 .. 15: largest magnitude is -16
	}
	q8, _ := AppendFloat32(nil, Q8_0, x)
	if d := F16ToF32(binary.LittleEndian.Uint16(q8)); math.Abs(float64(d)-16.0/127) > 1e-4 {
		t.Errorf("Q8_0 scale %g", d)
	}
	if int8(q8[2]) != -127 || int8(q8[2+16]) != 0 {
		t.Errorf("Q8_0 quants %d %d", int8(q8[2]), int8(q8[2+16]))
	}
	q4, _ := AppendFloat32(nil, Q4_0, x)
	if d := F16ToF32(binary.LittleEndian.Uint16(q4)); d != 2 { // -16 / -8
		t.Errorf("Q4_0 scale %g, want 2", d)
	}
	// Element 0 (-16) is q=0 in the low nibble of byte 0; element 16 (0)
	// is q=8 in its high nibble.
	if q4[2] != 0x80 {
		t.Errorf("Q4_0 byte 0 = %#02x, want 0x80", q4[2])
	}
	zero, _ := AppendFloat32(nil, Q4_0, make([]float32, 32))
	if y, _ := DecodeFloat32(Q4_0, zero); y[0] != 0 || y[31] != 0 {
		t.Error("zero block does not decode to zeros")
	}
}

func TestConversionErrors(t *testing.T) {
	if _, err := AppendFloat32(nil, Q8_0, make([]float32, 33)); err == nil {
		t.Error("33 values encoded as Q8_0")
	}
	if _, err := AppendFloat32(nil, Q6_K, make([]float32, 256)); err == nil {
		t.Error("Q6_K encoding accepted")
	}
	if _, err := DecodeFloat32(Q8_0, make([]byte, 35)); err == nil {
		t.Error("35 bytes decoded as Q8_0")
	}
	if _, err := DecodeFloat32(Q4_K, make([]byte, 144)); err == nil {
		t.Error("Q4_K decoding accepted")
	}
}

func TestTensorTypes(t *testing.T) {
	tests := []struct {
		typ         TensorType
		block, size uint64
	}{
		{F32, 1, 4}, {F16, 1, 2}, {BF16, 1, 2}, {Q4_0, 32, 18}, {Q4_1, 32, 20}, {Q5_0, 32, 22}, {Q5_1, 32, 24},
		{Q8_0, 32, 34}, {Q2_K, 256, 84}, {Q3_K, 256, 110}, {Q4_K, 256, 144}, {Q5_K, 256, 176}, {Q6_K, 256, 210},
		{IQ4_XS, 256, 136}, {TQ1_0, 256, 54}, {MXFP4, 32, 17},
	}
	for _, tt := range tests {
		if tt.typ.BlockSize() != tt.block || tt.typ.TypeSize() != tt.size {
			t.Errorf("%s: block %d size %d, want %d %d", tt.typ, tt.typ.BlockSize(), tt.typ.TypeSize(), tt.block, tt.size)
		}
		if p, err := ParseTensorType(tt.typ.String()); err != nil || p != tt.typ {
			t.Errorf("ParseTensorType(%s) = %v, %v", tt.typ, p, err)
		}
	}
	if TensorType(4).Known() || TensorType(31).Known() {
		t.Error("removed types reported known")
	}
}
