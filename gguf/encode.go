package gguf

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// encoder writes little-endian GGUF fields, keeping the first error and the
// number of bytes written.
type encoder struct {
	w   io.Writer
	n   int64
	err error
	buf [8]byte
}

// Write makes the encoder an io.Writer for tensor data, so tensor writers
// share its count and its first error.
func (e *encoder) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.n += int64(n)
	e.err = err
	return n, err
}

func (e *encoder) write(p []byte) { e.Write(p) }

func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.buf[:4], v)
	e.write(e.buf[:4])
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:8], v)
	e.write(e.buf[:8])
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	if e.err == nil {
		io.WriteString(e, s)
	}
}

func (e *encoder) pad(align uint64) {
	if p := alignUp(uint64(e.n), align) - uint64(e.n); p > 0 {
		e.write(make([]byte, p))
	}
}

// value writes v without its type tag.
func (e *encoder) value(v Value) {
	if v.typ != ValueArray {
		e.scalar(v.x)
		return
	}
	e.u32(uint32(v.elem))
	e.u64(uint64(v.Len()))
	switch x := v.x.(type) {
	case []Value:
		for _, el := range x {
			e.value(el)
		}
	case []string:
		for _, s := range x {
			e.str(s)
		}
	default:
		for i := 0; i < v.Len(); i++ {
			e.scalar(v.index(i).x)
		}
	}
}

func (e *encoder) scalar(x any) {
	le := binary.LittleEndian
	b := e.buf[:]
	switch x := x.(type) {
	case uint8:
		b[0] = x
		e.write(b[:1])
	case int8:
		b[0] = byte(x)
		e.write(b[:1])
	case bool:
		b[0] = 0
		if x {
			b[0] = 1
		}
		e.write(b[:1])
	case uint16:
		le.PutUint16(b, x)
		e.write(b[:2])
	case int16:
		le.PutUint16(b, uint16(x))
		e.write(b[:2])
	case uint32:
		e.u32(x)
	case int32:
		e.u32(uint32(x))
	case float32:
		e.u32(math.Float32bits(x))
	case uint64:
		e.u64(x)
	case int64:
		e.u64(uint64(x))
	case float64:
		e.u64(math.Float64bits(x))
	case string:
		e.str(x)
	}
}

// checkValue rejects the zero Value and arrays of the zero Value, which
// have no type to write.
func checkValue(v Value) error {
	if v.typ >= valueTypeCount || v.x == nil {
		return fmt.Errorf("value has no type (the zero Value)")
	}
	if els, ok := v.x.([]Value); ok {
		for i, el := range els {
			if err := checkValue(el); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
	}
	return nil
}
