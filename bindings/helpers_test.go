package bindings

import (
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// stories loads the stories260K fixture, a llama model converted by llama.cpp.
func stories(t testing.TB) *Model {
	t.Helper()
	m, err := LoadModel(testfixture.Path(t, "stories260K.gguf"), ModelParams{})
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
