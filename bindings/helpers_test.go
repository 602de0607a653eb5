package bindings

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// fixture returns the path of a file in ../shared/fixtures, skipping the
// test when that folder is absent (a user's checkout has no ../shared).
func fixture(t testing.TB, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "shared", "fixtures", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s not found (../shared/fixtures is only beside a developer's or CI's checkout): %v", name, err)
	}
	return p
}

// stories loads the stories260K fixture, a llama model converted by llama.cpp.
func stories(t testing.TB) *Model {
	t.Helper()
	m, err := LoadModel(fixture(t, "stories260K.gguf"), ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func newCtx(t testing.TB, m *Model, p ContextParams) *Context {
	t.Helper()
	if p.Threads == 0 {
		p.Threads = 1
	}
	c, err := m.NewContext(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
