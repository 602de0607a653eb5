package gguf

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// richBuilder makes a file with a value of every type, nested arrays and
// tensors of several types.
func richBuilder(t testing.TB) *Builder {
	t.Helper()
	b := NewBuilder()
	b.Set("u8", Of(uint8(200)))
	b.Set("i8", Of(int8(-100)))
	b.Set("u16", Of(uint16(60000)))
	b.Set("i16", Of(int16(-30000)))
	b.Set("u32", Of(uint32(4000000000)))
	b.Set("i32", Of(int32(-2000000000)))
	b.Set("f32", Of(float32(1.5)))
	b.Set("bool", Of(true))
	b.Set("str", Of("héllo\x00\xff"))
	b.Set("u64", Of(uint64(1<<63+5)))
	b.Set("i64", Of(int64(-1<<62)))
	b.Set("f64", Of(2.25))
	b.Set("strs", ArrayOf([]string{"a", "", "ccc"}))
	b.Set("i32s", ArrayOf([]int32{1, -2, 3}))
	b.Set("f32s", ArrayOf([]float32{0.5, -1}))
	b.Set("bools", ArrayOf([]bool{true, false}))
	b.Set("u8s", ArrayOf([]uint8{}))
	nested, err := NestedArray(ArrayOf([]int64{1, 2}), ArrayOf([]string{"x"}))
	if err != nil {
		t.Fatal(err)
	}
	b.Set("nested", nested)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, typ := range []TensorType{F32, F16, BF16, Q8_0, Q4_0} {
		data := make([]float32, 64*3)
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		if err := b.AddFloat32("t."+typ.String(), typ, []uint64{64, 3}, data); err != nil {
			t.Fatal(err)
		}
	}
	raw := make([]byte, Q4_K.TypeSize()*2)
	for i := range raw {
		raw[i] = byte(i)
	}
	if err := b.AddTensor("t.Q4_K", Q4_K, []uint64{256, 2}, raw); err != nil {
		t.Fatal(err)
	}
	if err := b.AddFloat32("scalar", F32, nil, []float32{42}); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	b := richBuilder(t)
	f := writeFile(t, b)
	if f.Version != Version || len(f.KV) != len(b.kv) || len(f.Tensors) != len(b.tensors) {
		t.Fatalf("version %d, %d kv, %d tensors", f.Version, len(f.KV), len(f.Tensors))
	}
	for i, kv := range b.kv {
		got := f.KV[i]
		if got.Key != kv.Key || !reflect.DeepEqual(got.Value, kv.Value) {
			t.Errorf("kv %d: got %s=%#v, want %s=%#v", i, got.Key, got.Value, kv.Key, kv.Value)
		}
	}
	for _, pt := range b.tensors {
		ti, ok := f.Tensor(pt.info.Name)
		if !ok {
			t.Fatalf("tensor %s missing", pt.info.Name)
		}
		if ti.Type != pt.info.Type || !reflect.DeepEqual(ti.Dims, pt.info.Dims) || ti.Size != pt.info.Size {
			t.Errorf("tensor %s: got %+v, want %+v", ti.Name, ti, pt.info)
		}
		if ti.Offset%f.Alignment != 0 || f.DataOffset%int64(f.Alignment) != 0 {
			t.Errorf("tensor %s not aligned: offset %d, data offset %d", ti.Name, ti.Offset, f.DataOffset)
		}
		var want bytes.Buffer
		if err := pt.write(&want); err != nil {
			t.Fatal(err)
		}
		got, err := f.TensorData(ti.Name)
		if err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Errorf("tensor %s data differs (%v)", ti.Name, err)
		}
	}
	if s, err := f.String("str"); err != nil || s != "héllo\x00\xff" {
		t.Errorf("str = %q, %v", s, err)
	}
	if n, err := f.Int("u64"); err == nil {
		t.Errorf("Int of 2^63+5 = %d, want an overflow error", n)
	}
	if n, err := f.Int("i16"); err != nil || n != -30000 {
		t.Errorf("Int(i16) = %d, %v", n, err)
	}
}

// A Builder describes a file; writing it twice gives the same bytes.
func TestWriteTwice(t *testing.T) {
	b := richBuilder(t)
	if err := b.AddTensorFunc("r", Q4_0, []uint64{64, 3}, randomTensor(1, "r", InitStd, Q4_0, 64*3)); err != nil {
		t.Fatal(err)
	}
	var one, two bytes.Buffer
	if _, err := b.WriteTo(&one); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteTo(&two); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Error("second write differs")
	}
}

func TestAlignment(t *testing.T) {
	for _, align := range []uint32{1, 8, 64, 4096} {
		b := NewBuilder()
		b.Set(KeyAlignment, Of(align))
		for i, n := range []uint64{3, 5, 7} {
			if err := b.AddTensor(string(rune('a'+i)), I8, []uint64{n}, make([]byte, n)); err != nil {
				t.Fatal(err)
			}
		}
		f := writeFile(t, b)
		if f.Alignment != uint64(align) {
			t.Errorf("alignment %d, want %d", f.Alignment, align)
		}
		for _, ti := range f.Tensors {
			if ti.Offset%uint64(align) != 0 {
				t.Errorf("align %d: tensor %s at %d", align, ti.Name, ti.Offset)
			}
		}
	}
}

func TestBuilderErrors(t *testing.T) {
	b := NewBuilder()
	tests := []struct {
		name string
		err  error
	}{
		{"row not whole blocks", b.AddFloat32("a", Q8_0, []uint64{31}, make([]float32, 31))},
		{"value count", b.AddFloat32("b", F32, []uint64{4, 4}, make([]float32, 15))},
		{"5 dims", b.AddTensor("c", F32, []uint64{1, 1, 1, 1, 1}, make([]byte, 4))},
		{"unknown type", b.AddTensor("d", TensorType(4), []uint64{1}, nil)},
		{"long name", b.AddTensor(string(make([]byte, 64)), F32, []uint64{1}, make([]byte, 4))},
		{"unsupported conversion", b.AddFloat32("e", Q4_K, []uint64{256}, make([]float32, 256))},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if err := b.AddTensor("ok", F32, []uint64{1}, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if err := b.AddTensor("ok", F32, []uint64{1}, make([]byte, 4)); err == nil {
		t.Error("duplicate tensor accepted")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gguf")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		build func(*Builder) error
		ctx   func() context.Context
	}{
		{"short tensor writer", func(b *Builder) error {
			return b.AddTensorFunc("w", F32, []uint64{4}, func(w io.Writer) error {
				_, err := w.Write(make([]byte, 8))
				return err
			})
		}, context.Background},
		{"failing tensor writer", func(b *Builder) error {
			return b.AddTensorFunc("w", F32, []uint64{4}, func(io.Writer) error { return errors.New("boom") })
		}, context.Background},
		{"cancelled", func(b *Builder) error {
			return b.AddTensor("w", F32, []uint64{1}, make([]byte, 4))
		}, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
		{"zero value", func(b *Builder) error { b.Set("k", Value{}); return nil }, context.Background},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder()
			if err := tt.build(b); err != nil {
				t.Fatal(err)
			}
			if err := b.WriteFile(tt.ctx(), path); err == nil {
				t.Fatal("no error")
			}
			if got, _ := os.ReadFile(path); string(got) != "old" {
				t.Errorf("target changed to %q", got)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("temporary files left: %v", entries)
			}
		})
	}
}
