package bindings

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/codeloom/codeloom/gguf"
)

// FuzzValidate feeds mutated model files to the Go checks of checkGGUF and
// every file they accept to the real engine in a load probe (a child
// process). A Go check that refuses must say the file is at fault; an
// accepted file that crashes the engine is a gap in the Go checks, found
// here without taking the fuzzer down.
func FuzzValidate(f *testing.F) {
	seed, err := os.ReadFile(writeTiny(f, gguf.TinyLlamaConfig{Embd: 16, FF: 32, Heads: 2, Layers: 1, Ctx: 32}))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte("GGUF\x03\x00\x00\x00"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		// A new file per input: probes are remembered by path, size and
		// modification time, which two quick inputs of one size can share.
		fh, err := os.CreateTemp(dir, "*.gguf")
		if err != nil {
			t.Fatal(err)
		}
		path := fh.Name()
		defer os.Remove(path)
		_, err = fh.Write(data)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := checkGGUF("model", path); err != nil {
			if !IsBadFile(err) {
				t.Fatalf("refused without blaming the file: %v", err)
			}
			return
		}
		err = ProbeLoad(context.Background(), path, "", ModelParams{})
		if errors.Is(err, ErrLoadCrashed) {
			t.Fatalf("the Go checks accepted a file that crashes the engine: %v", err)
		}
	})
}
