package modelstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/internal/atomicfile"
)

// Defaults is defaults.json, a model's own generation settings, as ollama's
// Modelfile PARAMETER lines are: `codeloom serve` uses each one a request
// leaves out, in place of the server's default. Absent fields (nil) leave
// the server's default alone.
type Defaults struct {
	Temperature   *float32 `json:"temperature,omitempty"`
	TopP          *float32 `json:"top_p,omitempty"`
	TopK          *int     `json:"top_k,omitempty"`
	MinP          *float32 `json:"min_p,omitempty"`
	RepeatPenalty *float32 `json:"repeat_penalty,omitempty"`
	RepeatLastN   *int     `json:"repeat_last_n,omitempty"`
	Seed          *int64   `json:"seed,omitempty"`
	MaxTokens     *int     `json:"max_tokens,omitempty"`
	Stop          []string `json:"stop,omitempty"`
	// ChatTemplate names one of the engine's built-in chat templates
	// (chatml, llama3, ...) to render chat requests with instead of the
	// model's own; a name the engine lacks fails those requests with 400.
	ChatTemplate string `json:"chat_template,omitempty"`
}

// ReadDefaults reads dir's defaults.json: nil and no error when there is
// none. Unknown fields and values out of range are errors naming the file,
// so a misspelt setting is not silently ignored.
func ReadDefaults(dir string) (*Defaults, error) {
	path := filepath.Join(dir, DefaultsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d Defaults
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &d, nil
}

// WriteDefaults writes dir's defaults.json atomically.
func WriteDefaults(dir string, d *Defaults) error {
	if err := d.check(); err != nil {
		return err
	}
	return atomicfile.WriteJSON(filepath.Join(dir, DefaultsFile), d)
}

// check applies the ranges the server accepts in a request.
func (d *Defaults) check() error {
	outside := func(name string, v *float32, lo, hi float32, openLo bool) error {
		if v != nil && (*v < lo || *v > hi || openLo && *v == lo) {
			return fmt.Errorf("%s %g out of range [%g, %g]", name, *v, lo, hi)
		}
		return nil
	}
	atLeast := func(name string, v *int, lo int) error {
		if v != nil && *v < lo {
			return fmt.Errorf("%s %d: want %d or more", name, *v, lo)
		}
		return nil
	}
	return errors.Join(
		outside("temperature", d.Temperature, 0, 5, false),
		outside("top_p", d.TopP, 0, 1, true),
		outside("min_p", d.MinP, 0, 1, false),
		outside("repeat_penalty", d.RepeatPenalty, 0, 10, true),
		atLeast("top_k", d.TopK, 0),
		atLeast("repeat_last_n", d.RepeatLastN, 0),
		atLeast("max_tokens", d.MaxTokens, 1),
	)
}
