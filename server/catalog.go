package server

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// storeTTL bounds how long a scan of the store is reused when no folder of
// the store changed: the backstop for changes a folder's modification time
// does not show (a file rewritten in place, a coarse-grained clock).
const storeTTL = 2 * time.Second

// catalogCache keeps the last scan of the model store, so that a burst of
// requests does not read the store once each. It scans again when the
// store's folder or one of its model folders changed (their modification
// times, which a model or adapter added, renamed into place or removed
// changes) or when the last scan is older than the TTL.
type catalogCache struct {
	dir string
	ttl time.Duration

	mu    sync.Mutex
	cat   Catalog
	sig   string
	at    time.Time
	scans int // scans made, for tests
}

func newCatalogCache(dir string) *catalogCache { return &catalogCache{dir: dir, ttl: storeTTL} }

// catalog returns the store's entries; callers must not change them.
func (c *catalogCache) catalog() (Catalog, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sig := storeSignature(c.dir)
	if c.cat != nil && sig == c.sig && time.Since(c.at) < c.ttl {
		return c.cat, nil
	}
	c.scans++
	cat, err := Scan(c.dir)
	if err != nil {
		c.cat = nil
		return nil, err
	}
	c.cat, c.sig, c.at = cat, sig, time.Now()
	return cat, nil
}

// storeSignature sums up the modification times of dir and of the folders
// in it: one directory read and a stat per folder, against the several
// stats and file reads per folder of a scan. "" when dir cannot be read.
func storeSignature(dir string) string {
	st, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	items, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	sig := fmt.Sprint(st.ModTime().UnixNano())
	for _, it := range items {
		if !it.IsDir() {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, it.Name())); err == nil {
			sig += fmt.Sprintf(" %s:%d", it.Name(), fi.ModTime().UnixNano())
		}
	}
	return sig
}
