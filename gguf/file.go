package gguf

import (
	"errors"
	"fmt"
	"io"
)

var (
	// ErrNoKey means the metadata key is absent.
	ErrNoKey = errors.New("metadata key not found")
	// ErrWrongType means the key exists with another value type.
	ErrWrongType = errors.New("metadata value has another type")
	// ErrNoTensor means the tensor is absent.
	ErrNoTensor = errors.New("tensor not found")
)

// Lookup returns the value of key.
func (f *File) Lookup(key string) (Value, bool) {
	i, ok := f.kvIndex[key]
	if !ok {
		return Value{}, false
	}
	return f.KV[i].Value, true
}

func get[T Scalar](f *File, key string) (T, error) {
	var zero T
	v, ok := f.Lookup(key)
	if !ok {
		return zero, fmt.Errorf("%q: %w", key, ErrNoKey)
	}
	x, ok := v.x.(T)
	if !ok {
		return zero, fmt.Errorf("%q is %s, want %s: %w", key, describe(v), scalarType(zero), ErrWrongType)
	}
	return x, nil
}

func getArray[T Scalar](f *File, key string) ([]T, error) {
	v, ok := f.Lookup(key)
	if !ok {
		return nil, fmt.Errorf("%q: %w", key, ErrNoKey)
	}
	x, ok := v.x.([]T)
	if !ok {
		var zero T
		return nil, fmt.Errorf("%q is %s, want array of %s: %w", key, describe(v), scalarType(zero), ErrWrongType)
	}
	return x, nil
}

func describe(v Value) string {
	if v.typ == ValueArray {
		return "array of " + v.elem.String()
	}
	return v.typ.String()
}

// String returns the string value of key.
func (f *File) String(key string) (string, error) { return get[string](f, key) }

// Uint32 returns the uint32 value of key.
func (f *File) Uint32(key string) (uint32, error) { return get[uint32](f, key) }

// Int32 returns the int32 value of key.
func (f *File) Int32(key string) (int32, error) { return get[int32](f, key) }

// Uint64 returns the uint64 value of key.
func (f *File) Uint64(key string) (uint64, error) { return get[uint64](f, key) }

// Float32 returns the float32 value of key.
func (f *File) Float32(key string) (float32, error) { return get[float32](f, key) }

// Bool returns the bool value of key.
func (f *File) Bool(key string) (bool, error) { return get[bool](f, key) }

// Strings returns the string array value of key (shared, do not modify).
func (f *File) Strings(key string) ([]string, error) { return getArray[string](f, key) }

// Int32s returns the int32 array value of key (shared, do not modify).
func (f *File) Int32s(key string) ([]int32, error) { return getArray[int32](f, key) }

// Uint32s returns the uint32 array value of key (shared, do not modify).
func (f *File) Uint32s(key string) ([]uint32, error) { return getArray[uint32](f, key) }

// Float32s returns the float32 array value of key (shared, do not modify).
func (f *File) Float32s(key string) ([]float32, error) { return getArray[float32](f, key) }

// Int returns an integer value of key of any integer type, for keys that
// writers disagree on (u32 or u64 context lengths, i32 or u32 ids).
func (f *File) Int(key string) (int64, error) {
	v, ok := f.Lookup(key)
	if !ok {
		return 0, fmt.Errorf("%q: %w", key, ErrNoKey)
	}
	n, err := v.Int()
	if err != nil {
		return 0, fmt.Errorf("%q: %w", key, err)
	}
	return n, nil
}

// Tensor returns the info of the named tensor.
func (f *File) Tensor(name string) (TensorInfo, bool) {
	i, ok := f.tensorIndex[name]
	if !ok {
		return TensorInfo{}, false
	}
	return f.Tensors[i], true
}

// TensorReader returns a reader over the raw bytes of the named tensor.
func (f *File) TensorReader(name string) (*io.SectionReader, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("%q: %w", name, ErrNoTensor)
	}
	return io.NewSectionReader(f.r, f.DataOffset+int64(t.Offset), int64(t.Size)), nil
}

// TensorData reads the raw bytes of the named tensor.
func (f *File) TensorData(name string) ([]byte, error) {
	sr, err := f.TensorReader(name)
	if err != nil {
		return nil, err
	}
	b := make([]byte, sr.Size())
	if _, err := io.ReadFull(sr, b); err != nil {
		return nil, fmt.Errorf("read tensor %q: %w", name, err)
	}
	return b, nil
}

// TensorFloat32 reads the named tensor and converts it to float32; see
// DecodeFloat32 for the types it handles.
func (f *File) TensorFloat32(name string) ([]float32, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("%q: %w", name, ErrNoTensor)
	}
	b, err := f.TensorData(name)
	if err != nil {
		return nil, err
	}
	out, err := DecodeFloat32(t.Type, b)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	return out, nil
}
