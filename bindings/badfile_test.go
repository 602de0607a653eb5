package bindings

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
)

// writeTiny writes a tiny llama model the engine loads.
func writeTiny(t testing.TB, cfg gguf.TinyLlamaConfig) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		t.Fatal(err)
	}
	return path
}

// rewrite copies the model at src with edit applied to its metadata.
func rewrite(t testing.TB, src, name string, edit func(b *gguf.Builder)) string {
	t.Helper()
	f, err := gguf.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := gguf.NewBuilder()
	b.SetKV(f.KV...)
	edit(b)
	for _, ti := range f.Tensors {
		data, err := f.TensorData(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.AddTensor(ti.Name, ti.Type, ti.Dims, data); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := b.WriteFile(context.Background(), dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// patch copies src with the little-endian u64 at the offset that at finds
// replaced by v: how a file with a corrupt length field is made.
func patch(t testing.TB, src, name string, at func(b []byte) int, v uint64) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	off := at(b)
	if off < 0 {
		t.Fatalf("%s: field not found", name)
	}
	binary.LittleEndian.PutUint64(b[off:], v)
	dst := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// after returns the offset just past the first occurrence of key (a
// metadata key or tensor name, with its length prefix) plus skip bytes.
func after(key string, skip int) func(b []byte) int {
	return func(b []byte) int {
		var prefixed bytes.Buffer
		binary.Write(&prefixed, binary.LittleEndian, uint64(len(key)))
		prefixed.WriteString(key)
		i := bytes.Index(b, prefixed.Bytes())
		if i < 0 {
			return -1
		}
		return i + prefixed.Len() + skip
	}
}

// TestLoadRefusesBadFiles holds the files that aborted the process or made
// the engine allocate gigabytes to a clear error naming the key or tensor.
func TestLoadRefusesBadFiles(t *testing.T) {
	good := writeTiny(t, gguf.TinyLlamaConfig{})
	spm := gguf.SPMByteTokenizer()
	dup := append([]string(nil), spm.Tokens...)
	dup[4] = dup[3]
	const lastTensor = "blk.1.ffn_down.weight" // 2 dims, then type, then offset
	tests := []struct {
		name, path, want string
	}{
		{"block count 0", rewrite(t, good, "b0.gguf", func(b *gguf.Builder) { b.Set("llama.block_count", gguf.Of(uint32(0))) }),
			"b0.gguf: llama.block_count is 0"},
		{"duplicated token", rewrite(t, good, "dup.gguf", func(b *gguf.Builder) { b.Set(gguf.KeyTokenizerTokens, gguf.ArrayOf(dup)) }),
			`token 4 "<0x00>" duplicates token 3`},
		{"head count 0", rewrite(t, good, "h0.gguf", func(b *gguf.Builder) { b.Set("llama.attention.head_count", gguf.Of(uint32(0))) }),
			"llama.attention.head_count is 0"},
		{"huge key string", patch(t, good, "name.gguf", after("general.name", 4), 1<<31),
			"string needs 2147483648 bytes"},
		{"huge token length", patch(t, good, "tok.gguf", after(gguf.KeyTokenizerTokens, 16), 1e9),
			"string needs 1000000000 bytes"},
		{"huge array count", patch(t, good, "count.gguf", after(gguf.KeyTokenizerTokens, 8), 1<<40),
			"array of 1099511627776 string"},
		{"tensor beyond the file", patch(t, good, "off.gguf", after(lastTensor, 4+2*8+4), 1<<40),
			fmt.Sprintf("tensor %q", lastTensor)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := LoadModel(tt.path, ModelParams{})
			if err == nil {
				m.Close()
				t.Fatal("loaded a bad model")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if !IsBadFile(err) {
				t.Errorf("IsBadFile(%v) = false", err)
			}
		})
	}
}

// abortingModel is a model that passes every Go check yet makes the engine
// abort: it loads (tokenizer model "none" is a file without a vocabulary,
// which the engine accepts), but the first tokenization of a prompt trips
// GGML_ASSERT(tokenizer && ...) in llama-vocab.cpp. Whether the engine can
// tokenize is what the Go checks deliberately leave to the engine.
func abortingModel(t testing.TB) string {
	t.Helper()
	tok := gguf.SPMByteTokenizer()
	tok.Model = "none"
	path := writeTiny(t, gguf.TinyLlamaConfig{Tokenizer: tok})
	if err := checkGGUF("model", path); err != nil {
		t.Fatalf("the Go checks refuse the aborting model: %v", err)
	}
	return path
}

func TestProbeLoad(t *testing.T) {
	good := writeTiny(t, gguf.TinyLlamaConfig{})
	if err := ProbeLoad(context.Background(), good, "", ModelParams{}); err != nil {
		t.Fatalf("good model: %v", err)
	}
	bad := abortingModel(t)
	err := ProbeLoad(context.Background(), bad, "", ModelParams{})
	if !errors.Is(err, ErrLoadCrashed) || !IsBadFile(err) {
		t.Fatalf("aborting model: %v, want ErrLoadCrashed", err)
	}
	for _, want := range []string{bad, "GGML_ASSERT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// Refused by the Go checks in this process, before any child.
	b0 := rewrite(t, good, "b0.gguf", func(b *gguf.Builder) { b.Set("llama.block_count", gguf.Of(uint32(0))) })
	if err := ProbeLoad(context.Background(), b0, "", ModelParams{}); err == nil || !strings.Contains(err.Error(), "block_count is 0") {
		t.Errorf("block_count 0: %v", err)
	}
}
