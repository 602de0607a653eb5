package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// maxNesting bounds arrays of arrays, so a crafted file cannot recurse deeply.
const maxNesting = 8

// decoder reads the little-endian header of a GGUF file and knows how many
// bytes are left, so every length is checked before it is allocated.
type decoder struct {
	r    *bufio.Reader
	pos  int64
	size int64
	buf  [8]byte
}

func newDecoder(r io.ReaderAt, size int64) *decoder {
	return &decoder{r: bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 1<<16), size: size}
}

func (d *decoder) remaining() int64 { return d.size - d.pos }

// need fails unless n more bytes exist before the end of the file.
func (d *decoder) need(n uint64, what string) error {
	if n > uint64(d.remaining()) {
		return malformed("%s needs %d bytes at offset %d, file has %d left", what, n, d.pos, d.remaining())
	}
	return nil
}

// needCount fails unless n items of at least per bytes each fit in the rest
// of the file (per > 0); it divides rather than multiplies, so a huge n
// cannot overflow.
func (d *decoder) needCount(n uint64, per int, what string) error {
	if n > uint64(d.remaining())/uint64(per) {
		return malformed("%s needs at least %d bytes each at offset %d, file has %d left", what, per, d.pos, d.remaining())
	}
	return nil
}

func (d *decoder) full(p []byte) error {
	n, err := io.ReadFull(d.r, p)
	d.pos += int64(n)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return malformed("truncated at offset %d", d.pos)
	case err != nil:
		return fmt.Errorf("read at offset %d: %w", d.pos, err)
	}
	return nil
}

func (d *decoder) fixed(n int) ([]byte, error) {
	if err := d.full(d.buf[:n]); err != nil {
		return nil, err
	}
	return d.buf[:n], nil
}

func (d *decoder) u32() (uint32, error) {
	b, err := d.fixed(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (d *decoder) u64() (uint64, error) {
	b, err := d.fixed(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (d *decoder) str() (string, error) {
	n, err := d.u64()
	if err != nil {
		return "", err
	}
	if err := d.need(n, "string"); err != nil {
		return "", err
	}
	b := make([]byte, n)
	if err := d.full(b); err != nil {
		return "", err
	}
	return string(b), nil
}

func (d *decoder) valueType() (ValueType, error) {
	t, err := d.u32()
	if err != nil {
		return 0, err
	}
	if ValueType(t) >= valueTypeCount {
		return 0, malformed("unknown value type %d at offset %d", t, d.pos-4)
	}
	return ValueType(t), nil
}

// value reads one value of type t; depth counts enclosing arrays.
func (d *decoder) value(t ValueType, depth int) (Value, error) {
	switch t {
	case ValueString:
		s, err := d.str()
		return Of(s), err
	case ValueArray:
		return d.array(depth + 1)
	}
	b, err := d.fixed(t.fixedSize())
	if err != nil {
		return Value{}, err
	}
	return Value{typ: t, x: decodeScalar(t, b)}, nil
}

func decodeScalar(t ValueType, b []byte) any {
	le := binary.LittleEndian
	switch t {
	case ValueUint8:
		return b[0]
	case ValueInt8:
		return int8(b[0])
	case ValueUint16:
		return le.Uint16(b)
	case ValueInt16:
		return int16(le.Uint16(b))
	case ValueUint32:
		return le.Uint32(b)
	case ValueInt32:
		return int32(le.Uint32(b))
	case ValueFloat32:
		return math.Float32frombits(le.Uint32(b))
	case ValueBool:
		return b[0] != 0
	case ValueUint64:
		return le.Uint64(b)
	case ValueInt64:
		return int64(le.Uint64(b))
	default: // ValueFloat64: the caller passes scalar types only
		return math.Float64frombits(le.Uint64(b))
	}
}

func (d *decoder) array(depth int) (Value, error) {
	if depth > maxNesting {
		return Value{}, malformed("arrays nested deeper than %d at offset %d", maxNesting, d.pos)
	}
	elem, err := d.valueType()
	if err != nil {
		return Value{}, err
	}
	n, err := d.u64()
	if err != nil {
		return Value{}, err
	}
	if err := d.needCount(n, elem.minSize(), fmt.Sprintf("array of %d %s", n, elem)); err != nil {
		return Value{}, err
	}
	switch elem {
	case ValueString:
		out := make([]string, n)
		for i := range out {
			if out[i], err = d.str(); err != nil {
				return Value{}, err
			}
		}
		return ArrayOf(out), nil
	case ValueArray:
		out := make([]Value, n)
		for i := range out {
			if out[i], err = d.array(depth + 1); err != nil {
				return Value{}, err
			}
		}
		return Value{typ: ValueArray, elem: ValueArray, x: out}, nil
	}
	raw := make([]byte, n*uint64(elem.fixedSize()))
	if err := d.full(raw); err != nil {
		return Value{}, err
	}
	return decodeScalarArray(elem, raw), nil
}

// decodeScalarArray decodes packed little-endian elements of type t.
func decodeScalarArray(t ValueType, raw []byte) Value {
	switch t {
	case ValueUint8:
		return ArrayOf(raw)
	case ValueInt8:
		return ArrayOf(mapRaw(raw, 1, func(b []byte) int8 { return int8(b[0]) }))
	case ValueUint16:
		return ArrayOf(mapRaw(raw, 2, binary.LittleEndian.Uint16))
	case ValueInt16:
		return ArrayOf(mapRaw(raw, 2, func(b []byte) int16 { return int16(binary.LittleEndian.Uint16(b)) }))
	case ValueUint32:
		return ArrayOf(mapRaw(raw, 4, binary.LittleEndian.Uint32))
	case ValueInt32:
		return ArrayOf(mapRaw(raw, 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) }))
	case ValueFloat32:
		return ArrayOf(mapRaw(raw, 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }))
	case ValueBool:
		return ArrayOf(mapRaw(raw, 1, func(b []byte) bool { return b[0] != 0 }))
	case ValueUint64:
		return ArrayOf(mapRaw(raw, 8, binary.LittleEndian.Uint64))
	case ValueInt64:
		return ArrayOf(mapRaw(raw, 8, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) }))
	default: // ValueFloat64
		return ArrayOf(mapRaw(raw, 8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }))
	}
}

func mapRaw[T any](raw []byte, size int, f func([]byte) T) []T {
	out := make([]T, len(raw)/size)
	for i := range out {
		out[i] = f(raw[i*size:])
	}
	return out
}
