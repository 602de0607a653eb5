package gguf

import (
	"bytes"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read; whatever it accepts must be fully
// usable: every value printable, every tensor readable and, when its type
// converts, decodable.
func FuzzRead(f *testing.F) {
	var rich bytes.Buffer
	if _, err := richBuilder(f).WriteTo(&rich); err != nil {
		f.Fatal(err)
	}
	f.Add(rich.Bytes())
	small := NewBuilder()
	small.Set(KeyAlignment, Of(uint32(8)))
	small.Set("a", ArrayOf([]string{"x", "y"}))
	if err := small.AddFloat32("t", Q8_0, []uint64{32}, make([]float32, 32)); err != nil {
		f.Fatal(err)
	}
	var sb bytes.Buffer
	if _, err := small.WriteTo(&sb); err != nil {
		f.Fatal(err)
	}
	f.Add(sb.Bytes())
	f.Add([]byte("GGUF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, kv := range file.KV {
			_ = kv.Value.String()
		}
		for _, ti := range file.Tensors {
			raw, err := file.TensorData(ti.Name)
			if err != nil {
				t.Fatalf("accepted file, unreadable tensor %s: %v", ti.Name, err)
			}
			if uint64(len(raw)) != ti.Size {
				t.Fatalf("tensor %s: %d bytes, want %d", ti.Name, len(raw), ti.Size)
			}
			if convertible(ti.Type) {
				if _, err := DecodeFloat32(ti.Type, raw); err != nil {
					t.Fatalf("tensor %s: %v", ti.Name, err)
				}
			}
		}
	})
}
