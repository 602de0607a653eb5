package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Q8_0 and Q4_0 blocks: a float16 scale d, then 32 quants. Q8_0 stores
// x ≈ d·q with q in [-127, 127]; Q4_0 stores x ≈ d·(q-8) with q in [0, 15],
// the low nibbles holding elements 0..15 and the high ones 16..31.
const qk = 32

func quantizeQ8_0(dst []byte, x []float32) {
	var amax float32
	for _, v := range x {
		amax = max(amax, abs32(v))
	}
	d := amax / 127
	var id float32
	if d != 0 {
		id = 1 / d
	}
	binary.LittleEndian.PutUint16(dst, F32ToF16(d))
	for j, v := range x {
		dst[2+j] = byte(int8(math.Round(float64(v * id))))
	}
}

func dequantizeQ8_0(dst []float32, b []byte) {
	d := F16ToF32(binary.LittleEndian.Uint16(b))
	for j := range dst {
		dst[j] = d * float32(int8(b[2+j]))
	}
}

func quantizeQ4_0(dst []byte, x []float32) {
	// The scale maps the element of largest magnitude to -8, so its sign
	// decides the direction and the full 16-level range is used.
	var amax, m float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, m = a, v
		}
	}
	d := m / -8
	var id float32
	if d != 0 {
		id = 1 / d
	}
	binary.LittleEndian.PutUint16(dst, F32ToF16(d))
	for j := 0; j < qk/2; j++ {
		lo := min(15, int(float32(x[j]*id)+8.5))
		hi := min(15, int(float32(x[j+qk/2]*id)+8.5))
		dst[2+j] = byte(lo) | byte(hi)<<4
	}
}

func dequantizeQ4_0(dst []float32, b []byte) {
	d := F16ToF32(binary.LittleEndian.Uint16(b))
	for j := 0; j < qk/2; j++ {
		q := b[2+j]
		dst[j] = d * float32(int(q&0x0F)-8)
		dst[j+qk/2] = d * float32(int(q>>4)-8)
	}
}

func abs32(v float32) float32 {
	return math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
}

// AppendFloat32 appends x encoded as type t to dst: F32, F16, BF16, Q8_0 or
// Q4_0. For the quantized types len(x) must be a multiple of 32.
func AppendFloat32(dst []byte, t TensorType, x []float32) ([]byte, error) {
	size, err := encodedSize(t, len(x))
	if err != nil {
		return dst, err
	}
	n := len(dst)
	dst = append(dst, make([]byte, size)...)
	out := dst[n:]
	le := binary.LittleEndian
	switch t {
	case F32:
		for i, v := range x {
			le.PutUint32(out[4*i:], math.Float32bits(v))
		}
	case F16:
		for i, v := range x {
			le.PutUint16(out[2*i:], F32ToF16(v))
		}
	case BF16:
		for i, v := range x {
			le.PutUint16(out[2*i:], F32ToBF16(v))
		}
	case Q8_0:
		for i := 0; i < len(x)/qk; i++ {
			quantizeQ8_0(out[i*34:], x[i*qk:(i+1)*qk])
		}
	case Q4_0:
		for i := 0; i < len(x)/qk; i++ {
			quantizeQ4_0(out[i*18:], x[i*qk:(i+1)*qk])
		}
	}
	return dst, nil
}

// DecodeFloat32 converts raw tensor bytes of type t (F32, F16, BF16, Q8_0 or
// Q4_0) to float32.
func DecodeFloat32(t TensorType, b []byte) ([]float32, error) {
	if !convertible(t) {
		return nil, fmt.Errorf("converting %s to float32 is not supported", t)
	}
	if uint64(len(b))%t.TypeSize() != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %s blocks", len(b), t)
	}
	out := make([]float32, uint64(len(b))/t.TypeSize()*t.BlockSize())
	le := binary.LittleEndian
	switch t {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	case F16:
		for i := range out {
			out[i] = F16ToF32(le.Uint16(b[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = BF16ToF32(le.Uint16(b[2*i:]))
		}
	case Q8_0:
		for i := 0; i < len(out)/qk; i++ {
			dequantizeQ8_0(out[i*qk:(i+1)*qk], b[i*34:])
		}
	case Q4_0:
		for i := 0; i < len(out)/qk; i++ {
			dequantizeQ4_0(out[i*qk:(i+1)*qk], b[i*18:])
		}
	}
	return out, nil
}

func convertible(t TensorType) bool {
	switch t {
	case F32, F16, BF16, Q8_0, Q4_0:
		return true
	}
	return false
}

// encodedSize is the byte size of n float32 values encoded as t.
func encodedSize(t TensorType, n int) (int, error) {
	if !convertible(t) {
		return 0, fmt.Errorf("converting float32 to %s is not supported", t)
	}
	bs := int(t.BlockSize())
	if n%bs != 0 {
		return 0, fmt.Errorf("%d values is not a multiple of the %s block size %d", n, t, bs)
	}
	return n / bs * int(t.TypeSize()), nil
}
