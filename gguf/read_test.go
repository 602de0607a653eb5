package gguf

import (
	"bytes"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

func TestReadFixtures(t *testing.T) {
	tests := []struct {
		file      string
		model     string
		tokens    int
		tensors   int
		hasMerges bool
	}{
		{"stories260K.gguf", "llama", 512, 48, false},
		{"ggml-vocab-llama-spm.gguf", "llama", 32000, 0, false},
		{"ggml-vocab-gpt-2.gguf", "gpt2", 50257, 0, true},
		{"ggml-vocab-deepseek-coder.gguf", "gpt2", 32256, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := Open(testfixture.Path(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Version != 2 && f.Version != 3 {
				t.Errorf("version %d", f.Version)
			}
			if m, err := f.String("tokenizer.ggml.model"); err != nil || m != tt.model {
				t.Errorf("tokenizer model %q, %v; want %q", m, err, tt.model)
			}
			toks, err := f.Strings("tokenizer.ggml.tokens")
			if err != nil || len(toks) != tt.tokens {
				t.Errorf("%d tokens, %v; want %d", len(toks), err, tt.tokens)
			}
			if types, err := f.Int32s("tokenizer.ggml.token_type"); err != nil || len(types) != tt.tokens {
				t.Errorf("%d token types, %v", len(types), err)
			}
			if _, err := f.Strings("tokenizer.ggml.merges"); (err == nil) != tt.hasMerges {
				t.Errorf("merges: %v, want present=%v", err, tt.hasMerges)
			}
			if len(f.Tensors) != tt.tensors {
				t.Errorf("%d tensors, want %d", len(f.Tensors), tt.tensors)
			}
		})
	}
}

func TestReadStories260K(t *testing.T) {
	f, err := Open(testfixture.Path(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for key, want := range map[string]uint32{
		"llama.embedding_length":        64,
		"llama.block_count":             5,
		"llama.attention.head_count":    8,
		"llama.attention.head_count_kv": 4,
	} {
		if got, err := f.Uint32(key); err != nil || got != want {
			t.Errorf("%s = %d, %v; want %d", key, got, err, want)
		}
	}
	if _, err := f.String("llama.block_count"); !errors.Is(err, ErrWrongType) {
		t.Errorf("String of a uint32 key: %v, want ErrWrongType", err)
	}
	if _, err := f.Uint32("no.such.key"); !errors.Is(err, ErrNoKey) {
		t.Errorf("missing key: %v, want ErrNoKey", err)
	}
	emb, ok := f.Tensor("token_embd.weight")
	if !ok {
		t.Fatal("no token_embd.weight")
	}
	if emb.Type != F32 || len(emb.Dims) != 2 || emb.Dims[0] != 64 || emb.Dims[1] != 512 || emb.Size != 64*512*4 {
		t.Errorf("token_embd.weight: %+v", emb)
	}
	// The data section ends where the last tensor does (up to padding), so
	// every byte of the file is accounted for.
	var end uint64
	for _, ti := range f.Tensors {
		end = max(end, ti.Offset+ti.Size)
	}
	if got := uint64(f.Size - f.DataOffset); got < end || got-end >= f.Alignment {
		t.Errorf("data section holds %d bytes, tensors end at %d", got, end)
	}
	w, err := f.TensorFloat32("blk.0.attn_norm.weight")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range w {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("attn_norm[%d] = %v", i, v)
		}
	}
	if _, err := f.TensorData("nope"); !errors.Is(err, ErrNoTensor) {
		t.Errorf("missing tensor: %v, want ErrNoTensor", err)
	}
}

func TestReadRejects(t *testing.T) {
	good := func() []byte {
		b := NewBuilder()
		b.Set("general.architecture", Of("llama"))
		if err := b.AddFloat32("w", F32, []uint64{4, 2}, make([]float32, 8)); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := b.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	tests := []struct {
		name    string
		edit    func([]byte) []byte
		notGGUF bool
	}{
		{"empty", func([]byte) []byte { return nil }, true},
		{"bad magic", func(b []byte) []byte { b[0] = 'X'; return b }, true},
		{"version 1", func(b []byte) []byte { b[4] = 1; return b }, false},
		{"big endian", func(b []byte) []byte { b[4], b[7] = 0, 3; return b }, false},
		{"huge kv count", func(b []byte) []byte { b[16+7] = 0x7f; return b }, false},
		{"huge tensor count", func(b []byte) []byte { b[8+7] = 0x7f; return b }, false},
		{"truncated header", func(b []byte) []byte { return b[:40] }, false},
		{"truncated data", func(b []byte) []byte { return b[:len(b)-20] }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.edit(good())
			_, err := Read(bytes.NewReader(data), int64(len(data)))
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrNotGGUF) != tt.notGGUF {
				t.Errorf("error %v: ErrNotGGUF=%v, want %v", err, !tt.notGGUF, tt.notGGUF)
			}
			if !tt.notGGUF && !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open("/nonexistent/model.gguf")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want os.ErrNotExist", err)
	}
}

// Every prefix of a valid file must fail cleanly, or succeed with readable
// tensors when only the final padding is cut.
func TestReadEveryTruncation(t *testing.T) {
	b := richBuilder(t)
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	for n := 0; n < len(data); n++ {
		f, err := Read(bytes.NewReader(data[:n]), int64(n))
		if err == nil {
			for _, ti := range f.Tensors {
				if _, err := f.TensorData(ti.Name); err != nil {
					t.Fatalf("prefix %d: tensor %s: %v", n, ti.Name, err)
				}
			}
		}
	}
}

// failingReader fails every read after the first limit bytes.
type failingReader struct {
	data  []byte
	limit int64
}

var errDisk = errors.New("disk on fire")

func (r failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.limit {
		return 0, errDisk
	}
	return copy(p, r.data[off:]), nil
}

// An I/O error is reported as itself, not as a malformed or foreign file.
func TestReadIOError(t *testing.T) {
	var buf bytes.Buffer
	if _, err := richBuilder(t).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int64{0, 100} {
		_, err := Read(failingReader{buf.Bytes(), limit}, int64(buf.Len()))
		if !errors.Is(err, errDisk) || errors.Is(err, ErrNotGGUF) || errors.Is(err, ErrMalformed) {
			t.Errorf("limit %d: %v", limit, err)
		}
	}
}
