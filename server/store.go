package server

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/codeloom/codeloom/modelstore"
)

// Entry kinds.
const (
	KindModel   = "model"
	KindAdapter = "adapter"
)

// Entry is one servable thing in the model store.
type Entry struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Path      string `json:"path"`
	Base      string `json:"base,omitempty"` // adapters: the name of their base model
	SizeBytes int64  `json:"size_bytes"`
	// Defaults are the entry's folder's defaults.json, which requests use
	// for the fields they leave out; DefaultsError says why the file could
	// not be read (the server's defaults apply then).
	Defaults      *modelstore.Defaults `json:"defaults,omitempty"`
	DefaultsError string               `json:"defaults_error,omitempty"`
}

// Metrics are a store folder's training and evaluation records, as written.
type Metrics struct {
	Training json.RawMessage `json:"training,omitempty"` // DIR/NAME/train.json
	Eval     json.RawMessage `json:"eval,omitempty"`     // DIR/NAME/eval.json
}

// ReadMetrics reads the metrics of entry name in store dir; missing or
// invalid files are left out. Scan does not read them, so that resolving a
// request's names stays cheap.
func ReadMetrics(dir, name string) Metrics {
	folder := filepath.Join(dir, name)
	return Metrics{Training: readJSON(filepath.Join(folder, modelstore.TrainFile)), Eval: readJSON(filepath.Join(folder, modelstore.EvalFile))}
}

// Catalog is the result of one scan of the store, by name.
type Catalog map[string]*Entry

// Sorted lists the entries by name.
func (c Catalog) Sorted() []*Entry {
	out := make([]*Entry, 0, len(c))
	for _, e := range c {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidName reports whether a requested model or adapter name is acceptable:
// names never carry path separators or "..", so a request cannot point
// outside the store.
func ValidName(name string) bool {
	return nameRE.MatchString(name) && !strings.Contains(name, "..")
}

// Scan lists the store's models and adapters (modelstore describes its
// layout) with each folder's defaults.json; train.json and eval.json are the
// metrics GET /models shows (see ReadMetrics). An adapter's base is
// modelstore.BaseRef.
func Scan(dir string) (Catalog, error) {
	items, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("scan model store %s: %w", dir, err)
	}
	cat := Catalog{}
	var folders []string
	for _, it := range items {
		name := it.Name()
		full := filepath.Join(dir, name)
		switch {
		case it.IsDir() && ValidName(name):
			folders = append(folders, name)
		case strings.HasSuffix(name, ".gguf") && ValidName(strings.TrimSuffix(name, ".gguf")):
			cat.add(&Entry{Name: strings.TrimSuffix(name, ".gguf"), Kind: KindModel, Path: full})
		}
	}
	// Base models first, so adapters can name them as their base.
	refs := map[string]string{}
	for _, name := range folders {
		full := filepath.Join(dir, name)
		if model := filepath.Join(full, modelstore.ModelFile); fileExists(model) {
			cat.add(&Entry{Name: name, Kind: KindModel, Path: model})
		}
		refs[name] = modelstore.BaseRef(full)
	}
	for _, name := range folders {
		full := filepath.Join(dir, name)
		adapter := filepath.Join(full, modelstore.AdapterFile)
		switch {
		case fileExists(adapter):
			e := &Entry{Name: name, Kind: KindAdapter, Path: adapter}
			e.Base = cat.resolveBase(name, full, refs[name])
			cat.add(e)
		case refs[name] != "" && cat[name] == nil:
			// A folder whose model lives elsewhere.
			if p := resolvePath(full, refs[name]); fileExists(p) {
				cat.add(&Entry{Name: name, Kind: KindModel, Path: p})
			}
		}
		if e := cat[name]; e != nil {
			readDefaults(e, full)
		}
	}
	return cat, nil
}

// readDefaults reads the defaults.json of e's folder. A bad file does not
// fail the scan: the entry is listed with the error, which names the file.
func readDefaults(e *Entry, folder string) {
	d, err := modelstore.ReadDefaults(folder)
	if err != nil {
		e.DefaultsError = err.Error()
		return
	}
	e.Defaults = d
}

func (c Catalog) add(e *Entry) {
	if fi, err := os.Stat(e.Path); err == nil {
		e.SizeBytes = fi.Size()
	}
	c[e.Name] = e
}

// resolveBase turns an adapter's base reference into a model name, adding
// a model entry when the reference is a GGUF path outside the store's names.
func (c Catalog) resolveBase(adapter, folder, ref string) string {
	if ref == "" {
		return ""
	}
	if e := c[ref]; e != nil && e.Kind == KindModel {
		return ref
	}
	p := resolvePath(folder, ref)
	// The same file may be listed twice (a folder whose base points at a
	// loose file): prefer the entry at exactly that path that owns the file
	// (its name is the file's or its folder's), then any at that path, then
	// any link to the same file; ties go to the first by name.
	owns := func(e *Entry) bool {
		return filepath.Base(e.Path) == e.Name+".gguf" || filepath.Base(filepath.Dir(e.Path)) == e.Name
	}
	for _, match := range []func(*Entry) bool{
		func(e *Entry) bool { return filepath.Clean(e.Path) == filepath.Clean(p) && owns(e) },
		func(e *Entry) bool { return filepath.Clean(e.Path) == filepath.Clean(p) },
		func(e *Entry) bool { return samePath(e.Path, p) },
	} {
		for _, e := range c.Sorted() {
			if e.Kind == KindModel && match(e) {
				return e.Name
			}
		}
	}
	if !fileExists(p) {
		return ""
	}
	name := strings.TrimSuffix(filepath.Base(p), ".gguf")
	if !ValidName(name) || c[name] != nil || name == adapter {
		name = adapter + "-base"
	}
	c.add(&Entry{Name: name, Kind: KindModel, Path: p})
	return name
}

func resolvePath(folder, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(folder, p)
}

func samePath(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// readJSON returns a file's JSON as is, or nil when it is missing or not JSON.
func readJSON(p string) json.RawMessage {
	b, err := os.ReadFile(p)
	if err != nil || !json.Valid(b) {
		return nil
	}
	return json.RawMessage(b)
}
