package digest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x")
	os.WriteFile(p, []byte("abc"), 0o644)
	got, err := File(p)
	// sha256("abc"), from FIPS 180-2.
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; err != nil || got != want {
		t.Errorf("File = %q, %v; want %q", got, err, want)
	}
	if _, err := File(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("missing file hashed")
	}
}

func TestFilesIsOneStream(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(a, []byte("a"), 0o644)
	os.WriteFile(b, []byte("bc"), 0o644)
	got, n, err := Files(context.Background(), a, b)
	// The shards "a" and "bc" hash as "abc" does.
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; err != nil || got != want || n != 3 {
		t.Errorf("Files = %q, %d, %v; want %q, 3", got, n, err, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Files(ctx, a); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Files: %v", err)
	}
}
