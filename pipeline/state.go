package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/codeloom/codeloom/internal/atomicfile"
)

// state is what the pipeline knows of earlier runs.
type state struct {
	Steps map[string]stepRecord `json:"steps"`
}

// stepRecord says a step started, or finished, with these inputs and left
// these outputs.
type stepRecord struct {
	Key      string    `json:"key"`               // hash of settings and inputs
	Done     bool      `json:"done"`              // false while it runs, and after it was killed
	Outputs  string    `json:"outputs,omitempty"` // fingerprint of the outputs it left
	Finished time.Time `json:"finished,omitzero"`
	Seconds  float64   `json:"seconds,omitempty"`
}

func loadState(path string) (*state, error) {
	st := &state{Steps: map[string]stepRecord{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pipeline state: %w", err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("read pipeline state %s (delete it to start over): %w", path, err)
	}
	if st.Steps == nil {
		st.Steps = map[string]stepRecord{}
	}
	return st, nil
}

func (st *state) save(path string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic writes path atomically, making its folder first.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data)
}
