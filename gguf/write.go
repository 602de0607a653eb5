package gguf

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Version is the GGUF version the Builder writes.
const Version = 3

// Builder collects metadata and tensors and writes them as one GGUF file.
// Tensor data is produced only while writing, so a Builder can describe a
// file larger than memory. The zero Builder is not usable; call NewBuilder.
type Builder struct {
	kv      []KV
	kvIndex map[string]int
	tensors []pendingTensor
	names   map[string]bool
}

type pendingTensor struct {
	info  TensorInfo
	write func(io.Writer) error
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{kvIndex: map[string]int{}, names: map[string]bool{}}
}

// Set adds the metadata entry key, or replaces its value in place.
func (b *Builder) Set(key string, v Value) {
	if i, ok := b.kvIndex[key]; ok {
		b.kv[i].Value = v
		return
	}
	b.kvIndex[key] = len(b.kv)
	b.kv = append(b.kv, KV{Key: key, Value: v})
}

// SetKV sets every entry of kv in order.
func (b *Builder) SetKV(kv ...KV) {
	for _, e := range kv {
		b.Set(e.Key, e.Value)
	}
}

// AddTensor adds a tensor whose raw bytes (already encoded as t) are data.
func (b *Builder) AddTensor(name string, t TensorType, dims []uint64, data []byte) error {
	return b.AddTensorFunc(name, t, dims, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// AddFloat32 adds a tensor from float32 values, encoded as t when written
// (F32, F16, BF16, Q8_0 or Q4_0). data is kept, not copied.
func (b *Builder) AddFloat32(name string, t TensorType, dims []uint64, data []float32) error {
	if uint64(len(data)) != NumElements(dims) {
		return fmt.Errorf("tensor %q: %d values for dimensions %v", name, len(data), dims)
	}
	if _, err := encodedSize(t, len(data)); err != nil {
		return fmt.Errorf("tensor %q: %w", name, err)
	}
	return b.AddTensorFunc(name, t, dims, func(w io.Writer) error {
		return writeFloat32(w, t, data)
	})
}

// writeFloat32 encodes data as t in chunks, so a large tensor is never held
// twice in memory.
func writeFloat32(w io.Writer, t TensorType, data []float32) error {
	const chunk = 1 << 16 // a multiple of every block size
	var buf []byte
	for len(data) > 0 {
		n := min(chunk, len(data))
		var err error
		if buf, err = AppendFloat32(buf[:0], t, data[:n]); err != nil {
			return err
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// AddTensorFunc adds a tensor whose bytes write produces when the file is
// written; it must write exactly the tensor's byte size.
func (b *Builder) AddTensorFunc(name string, t TensorType, dims []uint64, write func(io.Writer) error) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("tensor name %q: want 1 to %d bytes", name, maxNameLen)
	}
	if b.names[name] {
		return fmt.Errorf("duplicate tensor %q", name)
	}
	size, err := tensorBytes(t, dims)
	if err != nil {
		return fmt.Errorf("tensor %q: %w", name, err)
	}
	b.names[name] = true
	info := TensorInfo{Name: name, Dims: append(make([]uint64, 0, len(dims)), dims...), Type: t, Size: size}
	b.tensors = append(b.tensors, pendingTensor{info: info, write: write})
	return nil
}

// alignment returns general.alignment when set, DefaultAlignment otherwise.
func (b *Builder) alignment() (uint64, error) {
	i, ok := b.kvIndex[KeyAlignment]
	if !ok {
		return DefaultAlignment, nil
	}
	a, ok := b.kv[i].Value.x.(uint32)
	if !ok || a == 0 || a&(a-1) != 0 {
		return 0, fmt.Errorf("%s must be a uint32 power of two, got %s", KeyAlignment, b.kv[i].Value)
	}
	return uint64(a), nil
}

// WriteTo writes the file to w.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	return b.write(context.Background(), w)
}

func (b *Builder) write(ctx context.Context, w io.Writer) (int64, error) {
	align, err := b.alignment()
	if err != nil {
		return 0, err
	}
	e := &encoder{w: w}
	e.write([]byte(Magic))
	e.u32(Version)
	e.u64(uint64(len(b.tensors)))
	e.u64(uint64(len(b.kv)))
	for _, kv := range b.kv {
		if err := checkValue(kv.Value); err != nil {
			return e.n, fmt.Errorf("metadata %q: %w", kv.Key, err)
		}
		e.str(kv.Key)
		e.u32(uint32(kv.Value.typ))
		e.value(kv.Value)
	}
	var offset uint64
	for _, t := range b.tensors {
		e.str(t.info.Name)
		e.u32(uint32(len(t.info.Dims)))
		for _, d := range t.info.Dims {
			e.u64(d)
		}
		e.u32(uint32(t.info.Type))
		e.u64(offset)
		offset = alignUp(offset+t.info.Size, align)
	}
	e.pad(align)
	for _, t := range b.tensors {
		if err := ctx.Err(); err != nil {
			return e.n, err
		}
		if e.err != nil {
			break
		}
		if err := writeTensor(e, t); err != nil {
			return e.n, err
		}
		e.pad(align)
	}
	return e.n, e.err
}

// writeTensor runs the tensor's writer and checks it wrote its exact size.
func writeTensor(e *encoder, t pendingTensor) error {
	start := e.n
	if err := t.write(e); err != nil {
		return fmt.Errorf("write tensor %q: %w", t.info.Name, err)
	}
	if e.err != nil {
		return fmt.Errorf("write tensor %q: %w", t.info.Name, e.err)
	}
	if got := uint64(e.n - start); got != t.info.Size {
		return fmt.Errorf("write tensor %q: wrote %d bytes, want %d", t.info.Name, got, t.info.Size)
	}
	return nil
}

// WriteFile writes the file to a temporary name beside path and renames it
// into place, so path never holds a partial file.
func (b *Builder) WriteFile(ctx context.Context, path string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write gguf %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if _, err := b.write(ctx, bw); err != nil {
		return fmt.Errorf("write gguf %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write gguf %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write gguf %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write gguf %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write gguf %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write gguf %s: %w", path, err)
	}
	return nil
}
