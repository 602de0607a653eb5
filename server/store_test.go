package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/codeloom/codeloom/server"
)

func TestScan(t *testing.T) {
	dir := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "outside-base.gguf")
	writeFiles(t, dir, map[string]string{
		"loose.gguf":               "x",
		"folder/model.gguf":        "x",
		"tuned/adapter.gguf":       "x",
		"tuned/base":               "folder\n",
		"tuned/train.json":         `{"loss": 1.5}`,
		"tuned/eval.json":          `{"bleu": 0.3}`,
		"bypath/adapter.gguf":      "x",
		"bypath/base":              "../loose.gguf",
		"byjson/adapter.gguf":      "x",
		"byjson/train.json":        `{"base_model": "loose"}`,
		"bytrain/adapter.gguf":     "x",
		"bytrain/train.json":       `{"base": {"path": "../folder/model.gguf", "sha256": "ab"}}`,
		"external/adapter.gguf":    "x",
		"external/base":            elsewhere,
		"orphan/adapter.gguf":      "x",
		"alias/base":               "../loose.gguf",
		"notes.txt":                "not a model",
		"empty/README":             "nothing servable",
		"bad name!.gguf":           "x",
		"broken/train.json":        "{not json",
		"broken/model.gguf":        "x",
		".hidden/model.gguf":       "x",
		"nested/deeper/model.gguf": "x",
	})
	writeFiles(t, filepath.Dir(elsewhere), map[string]string{filepath.Base(elsewhere): "x"})

	cat, err := server.Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ kind, base string }{
		"loose": {"model", ""}, "folder": {"model", ""}, "tuned": {"adapter", "folder"}, "bypath": {"adapter", "loose"},
		"byjson": {"adapter", "loose"}, "bytrain": {"adapter", "folder"}, "external": {"adapter", "outside-base"}, "outside-base": {"model", ""},
		"orphan": {"adapter", ""}, "alias": {"model", ""}, "broken": {"model", ""},
	}
	if len(cat) != len(want) {
		names := []string{}
		for n := range cat {
			names = append(names, n)
		}
		t.Fatalf("scanned %v, want %d entries", names, len(want))
	}
	for name, w := range want {
		e := cat[name]
		if e == nil || e.Kind != w.kind || e.Base != w.base || e.SizeBytes != 1 {
			t.Errorf("%s: got %+v, want %+v", name, e, w)
		}
	}
	tuned, broken := server.ReadMetrics(dir, "tuned"), server.ReadMetrics(dir, "broken")
	if string(tuned.Training) != `{"loss": 1.5}` || string(tuned.Eval) != `{"bleu": 0.3}` || broken.Training != nil || broken.Eval != nil {
		t.Errorf("metrics: tuned %+v, broken %+v", tuned, broken)
	}
	if _, err := server.Scan(filepath.Join(dir, "missing")); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing store: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{"tiny": true, "qwen2.5-coder_1.5b": true, "a": true, "": false, "..": false,
		"../x": false, "a/b": false, `a\b`: false, ".hidden": false, "x..y": false, "-flag": false, "sp ace": false} {
		if got := server.ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v", name, got)
		}
	}
}

// countingEngine counts model loads of the real engine.
type countingEngine struct {
	server.Engine
	loads atomic.Int32
}

func (e *countingEngine) LoadModel(path string) (server.Model, error) {
	e.loads.Add(1)
	return e.Engine.LoadModel(path)
}

func TestLoadedModels(t *testing.T) {
	dir := newStore(t)
	if err := os.Symlink(fixtureModel(t), filepath.Join(dir, "tiny2.gguf")); err != nil {
		t.Fatal(err)
	}
	loadedNames := func(c client) []string {
		var list struct {
			Models []struct {
				Name   string
				Loaded bool
			}
		}
		_, _, body := c.do("GET", "/models", "")
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range list.Models {
			if m.Loaded {
				names = append(names, m.Name)
			}
		}
		return names
	}

	t.Run("least recently used is unloaded", func(t *testing.T) {
		eng := &countingEngine{Engine: testEngine}
		_, ts := start(t, server.Options{Engine: eng, ModelsDir: dir, MaxLoaded: 1})
		c := client{t: t, base: ts.URL}
		var wg sync.WaitGroup
		for range 8 { // eight requests at once load the model once
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.postJSON("/generate", map[string]any{"prompt": "Hi", "model": "tiny", "max_tokens": 2}, nil)
			}()
		}
		wg.Wait()
		if got := loadedNames(c); eng.loads.Load() != 1 || len(got) != 1 || got[0] != "tiny" {
			t.Fatalf("%d loads, loaded %v", eng.loads.Load(), got)
		}
		c.postJSON("/generate", map[string]any{"prompt": "Hi", "model": "tiny2", "max_tokens": 2}, nil)
		if got := loadedNames(c); len(got) != 1 || got[0] != "tiny2" || c.metric("codeloom_models_loaded") != 1 {
			t.Fatalf("loaded %v", got)
		}
	})

	t.Run("two fit", func(t *testing.T) {
		_, ts := start(t, server.Options{ModelsDir: dir, MaxLoaded: 2})
		c := client{t: t, base: ts.URL}
		for _, m := range []string{"tiny", "tiny2", "tiny"} {
			c.postJSON("/generate", map[string]any{"prompt": "Hi", "model": m, "max_tokens": 2}, nil)
		}
		if got := loadedNames(c); len(got) != 2 {
			t.Fatalf("loaded %v", got)
		}
	})

	t.Run("keep-alive unloads idle models", func(t *testing.T) {
		_, ts := start(t, server.Options{ModelsDir: dir, KeepAlive: 30 * time.Millisecond})
		c := client{t: t, base: ts.URL}
		c.postJSON("/generate", map[string]any{"prompt": "Hi", "max_tokens": 2}, nil)
		c.waitMetric("codeloom_models_loaded", 0)
	})

	t.Run("preload", func(t *testing.T) {
		eng := &countingEngine{Engine: testEngine}
		srv, ts := start(t, server.Options{Engine: eng, ModelsDir: dir})
		if err := srv.Preload(t.Context(), "tiny2"); err != nil {
			t.Fatal(err)
		}
		if err := srv.Preload(t.Context(), "nope"); err == nil {
			t.Fatal("preloading a missing model succeeded")
		}
		c := client{t: t, base: ts.URL}
		if got := loadedNames(c); eng.loads.Load() != 1 || len(got) != 1 || got[0] != "tiny2" {
			t.Fatalf("%d loads, loaded %v", eng.loads.Load(), got)
		}
	})
}
