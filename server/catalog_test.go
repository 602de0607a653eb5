package server

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCatalogCache(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	has := func(c *catalogCache, name string) bool {
		t.Helper()
		cat, err := c.catalog()
		if err != nil {
			t.Fatal(err)
		}
		return cat[name] != nil
	}
	write("base/model.gguf")
	if err := os.MkdirAll(filepath.Join(dir, "tuned"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tuned", "base"), []byte("base\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	c := newCatalogCache(dir)
	c.ttl = time.Hour // only changes make it scan again
	for range 50 {
		if !has(c, "base") {
			t.Fatal("base model not listed")
		}
	}
	if c.scans != 1 {
		t.Errorf("a burst of 50 requests scanned %d times, want 1", c.scans)
	}

	// A model dropped into the store and an adapter written into an
	// existing folder change folder times: seen by the next request.
	write("new.gguf")
	if !has(c, "new") {
		t.Error("a model added to the store is not listed")
	}
	write("tuned/adapter.gguf")
	if !has(c, "tuned") || c.scans != 3 {
		t.Errorf("adapter added to a folder: listed %v after %d scans, want 3", c.cat["tuned"] != nil, c.scans)
	}

	// What folder times do not show (a base file rewritten in place) is
	// seen once the TTL has passed.
	c.ttl = 50 * time.Millisecond
	c.catalog()
	scans := c.scans
	if err := os.WriteFile(filepath.Join(dir, "tuned", "base"), []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if cat, _ := c.catalog(); cat["tuned"].Base != "base" || c.scans != scans {
		t.Errorf("within the TTL: base %q after %d scans, want the cached base and %d scans", cat["tuned"].Base, c.scans, scans)
	}
	time.Sleep(60 * time.Millisecond)
	if cat, _ := c.catalog(); cat["tuned"].Base != "new" {
		t.Errorf("after the TTL: base %q, want new", cat["tuned"].Base)
	}
}
