package gguf

import (
	"context"
	"path/filepath"
	"testing"
)

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
