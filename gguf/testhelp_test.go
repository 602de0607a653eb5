package gguf

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// fixture returns the path of a shared real-world fixture, skipping the test
// when the shared folder is absent (a user's checkout has none).
func fixture(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "fixtures", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s not available (%v): the shared fixtures folder is absent", name, err)
	}
	return p
}

// writeFile writes b to a file in a temporary folder and opens it.
func writeFile(t testing.TB, b *Builder) *File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.gguf")
	if err := b.WriteFile(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
