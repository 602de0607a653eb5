package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/server"
)

// writeAdapter writes a rank-4 LoRA adapter on the attention projections of
// model; zero B makes an adapter that changes nothing.
func writeAdapter(t testing.TB, model, path string, zeroB bool, seed uint64) {
	t.Helper()
	f, err := gguf.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rng := rand.New(rand.NewPCG(seed, 1))
	var pairs []gguf.LoRAPair
	for _, ti := range f.Tensors {
		if !strings.HasSuffix(ti.Name, ".attn_q.weight") && !strings.HasSuffix(ti.Name, ".attn_v.weight") {
			continue
		}
		p := gguf.LoRAPair{Base: strings.TrimSuffix(ti.Name, ".weight"), In: int(ti.Dims[0]), Out: int(ti.Dims[1]), Rank: 4}
		p.A, p.B = make([]float32, p.In*p.Rank), make([]float32, p.Out*p.Rank)
		for i := range p.A {
			p.A[i] = float32(rng.NormFloat64())
		}
		for i := range p.B {
			if !zeroB {
				p.B[i] = float32(rng.NormFloat64() * 0.5)
			}
		}
		pairs = append(pairs, p)
	}
	if len(pairs) == 0 {
		t.Fatal("no attention tensors in the model")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := gguf.WriteLoRA(context.Background(), path, "llama", 4, pairs); err != nil {
		t.Fatal(err)
	}
}

// adapterStore holds model "tiny" and its adapters "zero" and "rand", a
// second model "tiny2" and "other", an adapter trained for tiny2.
func adapterStore(t testing.TB) string {
	t.Helper()
	dir := newStore(t)
	model := filepath.Join(dir, "tiny.gguf")
	if err := os.Symlink(fixtureModel(t), filepath.Join(dir, "tiny2.gguf")); err != nil {
		t.Fatal(err)
	}
	for name, zero := range map[string]bool{"zero": true, "rand": false, "other": false} {
		writeAdapter(t, model, filepath.Join(dir, name, "adapter.gguf"), zero, 7)
		base := "tiny"
		if name == "other" {
			base = "tiny2"
		}
		writeFiles(t, filepath.Join(dir, name), map[string]string{"base": base})
	}
	return dir
}

func TestAdapters(t *testing.T) {
	_, ts := start(t, server.Options{ModelsDir: adapterStore(t), Parallel: 2})
	c := client{t: t, base: ts.URL}
	gen := func(req map[string]any) generateResponse {
		t.Helper()
		req["prompt"], req["max_tokens"], req["temperature"] = "Once upon a time", 24, 0
		var r generateResponse
		if st := c.postJSON("/generate", req, &r); st != 200 {
			t.Fatalf("%v: status %d", req, st)
		}
		return r
	}
	none := gen(map[string]any{})
	zero := gen(map[string]any{"adapter": "zero"})
	random := gen(map[string]any{"adapter": "rand"})
	if zero.GeneratedText != none.GeneratedText || zero.Adapter != "zero" {
		t.Fatalf("zero adapter changed the output: %q vs %q", zero.GeneratedText, none.GeneratedText)
	}
	if random.GeneratedText == none.GeneratedText || random.Adapter != "rand" || random.Model != "tiny" {
		t.Fatalf("random adapter left the output as is: %+v", random)
	}
	if r := gen(map[string]any{"adapter": "rand", "adapter_scale": 0}); r.GeneratedText != none.GeneratedText {
		t.Fatalf("scale 0 should equal no adapter: %q", r.GeneratedText)
	}
	if r := gen(map[string]any{"model": "rand"}); r.GeneratedText != random.GeneratedText || r.Adapter != "rand" {
		t.Fatalf("naming the adapter as model: %+v", r)
	}

	t.Run("switching back and forth", func(t *testing.T) {
		for i, name := range []string{"", "rand", "", "rand", "zero", "rand", ""} {
			want := none.GeneratedText
			if name == "rand" {
				want = random.GeneratedText
			}
			if r := gen(map[string]any{"adapter": name}); r.GeneratedText != want {
				t.Fatalf("step %d adapter %q: %q want %q", i, name, r.GeneratedText, want)
			}
		}
	})

	t.Run("concurrent requests never share weights", func(t *testing.T) {
		want := map[string]string{"": none.GeneratedText, "zero": none.GeneratedText, "rand": random.GeneratedText}
		var wg sync.WaitGroup
		errs := make(chan error, 18)
		for i := range 18 {
			name := []string{"", "rand", "zero"}[i%3]
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r generateResponse
				st := c.postJSON("/generate", map[string]any{"prompt": "Once upon a time", "max_tokens": 24, "temperature": 0, "adapter": name}, &r)
				if st != 200 || r.GeneratedText != want[name] {
					errs <- fmt.Errorf("request %d adapter %q: %d %q", i, name, st, r.GeneratedText)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("scoring sees the adapter", func(t *testing.T) {
		score := func(adapter string) float64 {
			var r struct{ Labels []struct{ LogProb float64 } }
			c.postJSON("/classify", map[string]any{"text": "Lily", "labels": []string{"dog"}, "adapter": adapter}, &r)
			return r.Labels[0].LogProb
		}
		if a, b, z := score(""), score("rand"), score("zero"); a == b || a != z {
			t.Fatalf("log-likelihoods: none %g, rand %g, zero %g", a, b, z)
		}
	})

	t.Run("adapter of another model", func(t *testing.T) {
		st, _, body := c.do("POST", "/generate", `{"prompt":"x","model":"tiny","adapter":"other"}`)
		if st != 400 || !strings.Contains(string(body), `belongs to model \"tiny2\"`) {
			t.Fatalf("%d %s", st, body)
		}
		// Without a model, the adapter's own base is used.
		var r generateResponse
		if st := c.postJSON("/generate", map[string]any{"prompt": "x", "adapter": "other", "max_tokens": 2}, &r); st != 200 || r.Model != "tiny2" {
			t.Fatalf("%d %+v", st, r)
		}
	})
}
