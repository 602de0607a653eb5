package gguf

import (
	"fmt"
	"math/bits"
)

// TensorType is a ggml tensor element type, numbered as in the file format.
type TensorType uint32

// Tensor types. The gaps are types ggml has removed; files using them are
// rejected.
const (
	F32     TensorType = 0
	F16     TensorType = 1
	Q4_0    TensorType = 2
	Q4_1    TensorType = 3
	Q5_0    TensorType = 6
	Q5_1    TensorType = 7
	Q8_0    TensorType = 8
	Q8_1    TensorType = 9
	Q2_K    TensorType = 10
	Q3_K    TensorType = 11
	Q4_K    TensorType = 12
	Q5_K    TensorType = 13
	Q6_K    TensorType = 14
	Q8_K    TensorType = 15
	IQ2_XXS TensorType = 16
	IQ2_XS  TensorType = 17
	IQ3_XXS TensorType = 18
	IQ1_S   TensorType = 19
	IQ4_NL  TensorType = 20
	IQ3_S   TensorType = 21
	IQ2_S   TensorType = 22
	IQ4_XS  TensorType = 23
	I8      TensorType = 24
	I16     TensorType = 25
	I32     TensorType = 26
	I64     TensorType = 27
	F64     TensorType = 28
	IQ1_M   TensorType = 29
	BF16    TensorType = 30
	TQ1_0   TensorType = 34
	TQ2_0   TensorType = 35
	MXFP4   TensorType = 39
)

// typeTraits holds what a byte size needs: elements per block and bytes per
// block (the sizes of ggml's block structs).
type typeTraits struct {
	name      string
	blockSize uint64
	typeSize  uint64
}

const qkK = 256 // elements in a k-quant super-block

var tensorTypes = map[TensorType]typeTraits{
	F32:     {"F32", 1, 4},
	F16:     {"F16", 1, 2},
	Q4_0:    {"Q4_0", 32, 2 + 16},
	Q4_1:    {"Q4_1", 32, 2 + 2 + 16},
	Q5_0:    {"Q5_0", 32, 2 + 4 + 16},
	Q5_1:    {"Q5_1", 32, 2 + 2 + 4 + 16},
	Q8_0:    {"Q8_0", 32, 2 + 32},
	Q8_1:    {"Q8_1", 32, 2 + 2 + 32},
	Q2_K:    {"Q2_K", qkK, 2*2 + qkK/16 + qkK/4},
	Q3_K:    {"Q3_K", qkK, 2 + qkK/4 + qkK/8 + 12},
	Q4_K:    {"Q4_K", qkK, 2*2 + 12 + qkK/2},
	Q5_K:    {"Q5_K", qkK, 2*2 + 12 + qkK/2 + qkK/8},
	Q6_K:    {"Q6_K", qkK, 2 + qkK/16 + 3*qkK/4},
	Q8_K:    {"Q8_K", qkK, 4 + qkK + qkK/16*2},
	IQ2_XXS: {"IQ2_XXS", qkK, 2 + qkK/8*2},
	IQ2_XS:  {"IQ2_XS", qkK, 2 + qkK/8*2 + qkK/32},
	IQ3_XXS: {"IQ3_XXS", qkK, 2 + 3*(qkK/8)},
	IQ1_S:   {"IQ1_S", qkK, 2 + qkK/8 + qkK/16},
	IQ4_NL:  {"IQ4_NL", 32, 2 + 16},
	IQ3_S:   {"IQ3_S", qkK, 2 + 13*(qkK/32) + qkK/64},
	IQ2_S:   {"IQ2_S", qkK, 2 + qkK/4 + qkK/16},
	IQ4_XS:  {"IQ4_XS", qkK, 2 + 2 + qkK/64 + qkK/2},
	I8:      {"I8", 1, 1},
	I16:     {"I16", 1, 2},
	I32:     {"I32", 1, 4},
	I64:     {"I64", 1, 8},
	F64:     {"F64", 1, 8},
	IQ1_M:   {"IQ1_M", qkK, qkK/8 + qkK/16 + qkK/32},
	BF16:    {"BF16", 1, 2},
	TQ1_0:   {"TQ1_0", qkK, 2 + qkK/64 + (qkK-4*qkK/64)/5},
	TQ2_0:   {"TQ2_0", qkK, 2 + qkK/4},
	MXFP4:   {"MXFP4", 32, 1 + 16},
}

// Known reports whether t is a tensor type this package can size.
func (t TensorType) Known() bool {
	_, ok := tensorTypes[t]
	return ok
}

func (t TensorType) String() string {
	if tr, ok := tensorTypes[t]; ok {
		return tr.name
	}
	return fmt.Sprintf("TensorType(%d)", uint32(t))
}

// BlockSize is the number of elements per quantization block (1 for plain
// types, 0 for unknown types).
func (t TensorType) BlockSize() uint64 { return tensorTypes[t].blockSize }

// TypeSize is the number of bytes per block (0 for unknown types).
func (t TensorType) TypeSize() uint64 { return tensorTypes[t].typeSize }

// ParseTensorType returns the type named name ("Q8_0", "f16", ...).
func ParseTensorType(name string) (TensorType, error) {
	for t, tr := range tensorTypes {
		if equalFoldASCII(tr.name, name) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown tensor type %q", name)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// maxDims is the most dimensions ggml tensors have.
const maxDims = 4

// tensorBytes returns the byte size of a tensor of type t with the given
// ggml dimensions, checking what ggml checks: a known type, at most four
// dimensions (none is a scalar), rows made of whole blocks, and no overflow
// of int64.
func tensorBytes(t TensorType, dims []uint64) (uint64, error) {
	tr, ok := tensorTypes[t]
	if !ok {
		return 0, fmt.Errorf("unknown tensor type %d", uint32(t))
	}
	if len(dims) > maxDims {
		return 0, fmt.Errorf("%d dimensions, want at most %d", len(dims), maxDims)
	}
	if row := NumElements(dims[:min(1, len(dims))]); row%tr.blockSize != 0 {
		return 0, fmt.Errorf("row length %d is not a multiple of the %s block size %d", row, tr.name, tr.blockSize)
	}
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > 1<<63-1 {
			return 0, fmt.Errorf("dimensions %v overflow", dims)
		}
		n = lo
	}
	hi, size := bits.Mul64(n/tr.blockSize, tr.typeSize)
	if hi != 0 || size > 1<<63-1 {
		return 0, fmt.Errorf("dimensions %v overflow", dims)
	}
	return size, nil
}

// NumElements is the product of dims (no overflow check; dims read from a
// file have been checked).
func NumElements(dims []uint64) uint64 {
	n := uint64(1)
	for _, d := range dims {
		n *= d
	}
	return n
}
