package gguf

import (
	"fmt"
	"reflect"
	"strings"
)

// ValueType is the type tag of a metadata value.
type ValueType uint32

// Metadata value types, numbered as in the file format.
const (
	ValueUint8 ValueType = iota
	ValueInt8
	ValueUint16
	ValueInt16
	ValueUint32
	ValueInt32
	ValueFloat32
	ValueBool
	ValueString
	ValueArray
	ValueUint64
	ValueInt64
	ValueFloat64
	valueTypeCount
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"}

func (t ValueType) String() string {
	if t < valueTypeCount {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("ValueType(%d)", uint32(t))
}

// fixedSize is the encoded size of a scalar of type t, 0 for strings and
// arrays, whose size depends on their content.
func (t ValueType) fixedSize() int {
	switch t {
	case ValueUint8, ValueInt8, ValueBool:
		return 1
	case ValueUint16, ValueInt16:
		return 2
	case ValueUint32, ValueInt32, ValueFloat32:
		return 4
	case ValueUint64, ValueInt64, ValueFloat64:
		return 8
	}
	return 0
}

// minSize is the fewest bytes a value of type t takes in a file; it bounds
// element counts against the bytes left before anything is allocated.
func (t ValueType) minSize() int {
	switch t {
	case ValueString:
		return 8 // length
	case ValueArray:
		return 12 // element type + count
	}
	return t.fixedSize()
}

// Scalar is the set of Go types a metadata scalar (or array element) holds.
type Scalar interface {
	uint8 | int8 | uint16 | int16 | uint32 | int32 | float32 | bool | string | uint64 | int64 | float64
}

// Value is one metadata value: a scalar, an array of scalars, or an array of
// arrays. The zero Value is invalid and is refused by the writer.
type Value struct {
	typ  ValueType
	elem ValueType // element type when typ is ValueArray
	x    any       // a Scalar, a []Scalar, or []Value for nested arrays
}

// Of returns the metadata value holding v.
func Of[T Scalar](v T) Value {
	return Value{typ: scalarType(v), x: v}
}

// ArrayOf returns an array value holding the elements of v (not copied).
func ArrayOf[T Scalar](v []T) Value {
	var zero T
	return Value{typ: ValueArray, elem: scalarType(zero), x: v}
}

// NestedArray returns an array whose elements are arrays. All elements must
// be arrays; GGUF does not record their element types at this level, so
// they may differ.
func NestedArray(elems ...Value) (Value, error) {
	for i, e := range elems {
		if e.typ != ValueArray {
			return Value{}, fmt.Errorf("nested array element %d is %s, not an array", i, e.typ)
		}
	}
	return Value{typ: ValueArray, elem: ValueArray, x: elems}, nil
}

func scalarType(v any) ValueType {
	switch v.(type) {
	case uint8:
		return ValueUint8
	case int8:
		return ValueInt8
	case uint16:
		return ValueUint16
	case int16:
		return ValueInt16
	case uint32:
		return ValueUint32
	case int32:
		return ValueInt32
	case float32:
		return ValueFloat32
	case bool:
		return ValueBool
	case string:
		return ValueString
	case uint64:
		return ValueUint64
	case int64:
		return ValueInt64
	case float64:
		return ValueFloat64
	}
	panic(fmt.Sprintf("gguf: %T is not a Scalar", v)) // unreachable: Scalar constrains callers
}

// Type is the value's type; ValueArray for arrays.
func (v Value) Type() ValueType { return v.typ }

// ElemType is the element type of an array value (ValueArray for an array of
// arrays); meaningless for scalars.
func (v Value) ElemType() ValueType { return v.elem }

// Len is the number of elements of an array value, 0 for scalars.
func (v Value) Len() int {
	if v.typ != ValueArray {
		return 0
	}
	return reflect.ValueOf(v.x).Len()
}

// Int returns the value of an integer scalar of any integer type.
func (v Value) Int() (int64, error) {
	switch x := v.x.(type) {
	case uint8:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint64:
		if x > 1<<63-1 {
			return 0, fmt.Errorf("%d does not fit in int64", x)
		}
		return int64(x), nil
	}
	return 0, fmt.Errorf("%s is not an integer: %w", describe(v), ErrWrongType)
}

// Any returns the Go value: a Scalar, a slice of one, or []Value for an
// array of arrays.
func (v Value) Any() any { return v.x }

// String formats the value for people; long arrays are shortened.
func (v Value) String() string {
	const show = 8
	if v.typ != ValueArray {
		if s, ok := v.x.(string); ok {
			return fmt.Sprintf("%q", s)
		}
		return fmt.Sprint(v.x)
	}
	n := v.Len()
	parts := make([]string, 0, min(n, show))
	for i := 0; i < n && i < show; i++ {
		parts = append(parts, v.index(i).String())
	}
	s := "[" + strings.Join(parts, ", ")
	if n > show {
		s += fmt.Sprintf(", ... (%d %s)", n, v.elem)
	}
	return s + "]"
}

// index returns element i of an array value as a Value.
func (v Value) index(i int) Value {
	x := reflect.ValueOf(v.x).Index(i).Interface()
	if el, ok := x.(Value); ok {
		return el
	}
	return Value{typ: v.elem, x: x}
}

// KV is one metadata entry.
type KV struct {
	Key   string
	Value Value
}
