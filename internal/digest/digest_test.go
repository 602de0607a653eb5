package digest

import (
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
