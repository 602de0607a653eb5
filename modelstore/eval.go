package modelstore

import (
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/codeloom/codeloom/internal/atomicfile"
)

// Eval is eval.json, everything one evaluation measured.
type Eval struct {
	Tool      string         `json:"tool"`
	CreatedAt time.Time      `json:"created_at"`
	Settings  map[string]any `json:"settings"`
	Inputs    []Input        `json:"inputs"`
	// Runs holds the model under test first (with its adapter, when one is
	// given), then, when compared, the base model without the adapter.
	Runs []EvalRun `json:"runs"`
	// Deltas is Runs[0] minus Runs[1] for every metric both have.
	Deltas map[string]float64 `json:"deltas,omitempty"`
}

// Input is a file or dataset an evaluation read, with its content hash.
type Input struct {
	Role   string `json:"role"` // model, adapter, dataset, tasks, completions
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// EvalRun is one model's results.
type EvalRun struct {
	Name      string                        `json:"name"`
	Metrics   map[string]float64            `json:"metrics"`
	Languages map[string]map[string]float64 `json:"languages,omitempty"`
	// PassAt is the evaluator's pass@k record (eval.PassAt) as written.
	PassAt json.RawMessage `json:"pass_at,omitempty"`
}

// ReadEval reads dir's eval.json.
func ReadEval(dir string) (*Eval, error) {
	var e Eval
	if err := readJSON(filepath.Join(dir, EvalFile), &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// WriteEval writes dir's eval.json atomically.
func WriteEval(dir string, e *Eval) error {
	return atomicfile.WriteJSON(filepath.Join(dir, EvalFile), e)
}
