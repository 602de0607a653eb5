package bindings

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/llm"
)

// TestLifecycleEveryOrder frees contexts, adapters and models in each order
// the product uses: the server evicts a model while another serves, eval
// opens and closes a context per model and adapter, the pipeline reloads
// what it trained, and the benchmarks' and checks' own contexts (BareLoop,
// ReferenceLoss) come and go. Freeing a context once freed its backends
// before the scheduler that resets them; under AddressSanitizer (make
// test-asan) that read of freed memory fails this test, and on a CUDA host
// it crashed every free.
func TestLifecycleEveryOrder(t *testing.T) {
	lifecycle(t, ModelParams{})
}

// lifecycle goes through the orders with models loaded with p.
func lifecycle(t *testing.T, p ModelParams) {
	path := testfixture.Path(t, "stories260K.gguf")
	adapterPath := filepath.Join(t.TempDir(), "a.gguf")
	writeAdapter(t, adapterPath, false, 1)
	opt := llm.GenerateOptions{MaxTokens: 8}

	generate := func(c *Context) string {
		t.Helper()
		g, err := c.Generate(context.Background(), "Once upon a time", opt)
		if err != nil {
			t.Fatal(err)
		}
		return g.Text
	}
	load := func() *Model {
		t.Helper()
		m, err := LoadModel(path, p)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	open := func(m *Model) *Context {
		t.Helper()
		c, err := m.NewContext(ContextParams{NCtx: 128, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// One context, freed before its model; then the same file again, as a
	// server does after evicting it.
	m := load()
	c := open(m)
	want := generate(c)
	c.Close()
	m.Close()
	m = load()
	c = open(m)
	if got := generate(c); got != want {
		t.Fatalf("after reload: %q, want %q", got, want)
	}

	// Two contexts on one model, freed in both orders, one while the other
	// is generating.
	for _, firstFirst := range []bool{true, false} {
		a, b := open(m), open(m)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := generate(b); got != want {
				t.Errorf("concurrent context: %q, want %q", got, want)
			}
		}()
		generate(a)
		if firstFirst {
			a.Close()
			wg.Wait()
			b.Close()
		} else {
			wg.Wait()
			b.Close()
			a.Close()
		}
	}

	// An adapter set on a context: the context goes first, then the adapter,
	// then the model (eval's base-vs-tuned order); and a context that
	// switched the adapter off before the adapter is freed.
	ad, err := LoadAdapter(m, adapterPath)
	if err != nil {
		t.Fatal(err)
	}
	tuned := open(m)
	tuned.SetAdapter(ad, 1)
	generate(tuned)
	base := open(m)
	generate(base)
	tuned.SetAdapter(nil, 0)
	if got := generate(tuned); got != want {
		t.Fatalf("adapter switched off: %q, want %q", got, want)
	}
	ad.Close()
	tuned.Close()
	base.Close()
	c.Close()
	m.Close()

	// Two models at once, freed in the order they were loaded (a server with
	// two models evicting the older one).
	m1, m2 := load(), load()
	c1, c2 := open(m1), open(m2)
	generate(c1)
	generate(c2)
	c1.Close()
	m1.Close()
	if got := generate(c2); got != want {
		t.Fatalf("second model after the first was freed: %q, want %q", got, want)
	}
	c2.Close()
	m2.Close()

	// The engine's own loop and reference loss make and free contexts too.
	m = load()
	defer m.Close()
	toks, err := m.Tokenize("Once upon a time", true)
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _, err := m.BareLoop(toks, 8, 64, 1); err != nil || n == 0 {
		t.Fatalf("bare loop: %d tokens, %v", n, err)
	}
	if _, err := ReferenceLoss(path, adapterPath, toks, 1); err != nil {
		t.Fatal(err)
	}
}
