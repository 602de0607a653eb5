package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/atomicfile"
	"github.com/codeloom/codeloom/modelstore"
)

// State is where a run stands; a checkpoint stores it beside the trainable
// tensors and their optimizer moments.
type State struct {
	Step     int     `json:"step"`      // optimizer steps done
	Epoch    int     `json:"epoch"`     // current epoch, from 0
	Pos      int     `json:"pos"`       // windows of the current epoch already used
	Seed     uint64  `json:"seed"`      // window order of epoch e is a permutation drawn from (seed, e)
	LR       float64 `json:"lr"`        // learning rate of the last step (schedule position)
	Loss     float64 `json:"loss"`      // mean training loss of the last step
	Tokens   int64   `json:"tokens"`    // tokens trained on
	HasBest  bool    `json:"has_best"`  // a validation loss was computed and its adapter written
	BestVal  float64 `json:"best_val"`  // best validation loss so far
	BestStep int     `json:"best_step"` // step of BestVal (0: before training)
	BadEvals int     `json:"bad_evals"` // evaluations since the last improvement
	Seconds  float64 `json:"seconds"`   // training time so far

	History []EvalRecord `json:"history"` // every validation result
}

const (
	checkpointLatest = "latest.json"
	stateFile        = "state.json"
	tensorsFile      = "tensors.gguf"
	checkpointTemp   = ".tmp-step-" // prefix of a checkpoint being written
)

// momentSuffix names the optimizer moments of a tensor in a checkpoint.
var momentSuffix = map[bindings.ParamPart]string{bindings.ParamM: ".adam_m", bindings.ParamV: ".adam_v"}

// saveCheckpoint writes the state and every trainable tensor (with its AdamW
// moments) to checkpoints/step-N, then points checkpoints/latest.json at it
// and removes the previous checkpoint.
func saveCheckpoint(ctx context.Context, out string, tr *bindings.Trainer, st State, adamw bool) (string, error) {
	root := filepath.Join(out, modelstore.CheckpointsDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	name := fmt.Sprintf("step-%08d", st.Step)
	tmp, err := os.MkdirTemp(root, atomicfile.TempPattern(checkpointTemp))
	if err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	defer os.RemoveAll(tmp)
	b := gguf.NewBuilder()
	b.Set("general.type", gguf.Of("codeloom-checkpoint"))
	parts := []bindings.ParamPart{bindings.ParamValue}
	if adamw {
		parts = append(parts, bindings.ParamM, bindings.ParamV)
	}
	for i, p := range tr.Params() {
		for _, part := range parts {
			v, err := tr.Get(i, part)
			if err != nil {
				return "", fmt.Errorf("save checkpoint: %w", err)
			}
			dims := []uint64{uint64(p.Shape[0]), uint64(p.Shape[1])}
			if err := b.AddFloat32(p.Name+momentSuffix[part], gguf.F32, dims, v); err != nil {
				return "", fmt.Errorf("save checkpoint: %w", err)
			}
		}
	}
	if err := b.WriteFile(ctx, filepath.Join(tmp, tensorsFile)); err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	if err := atomicfile.WriteJSON(filepath.Join(tmp, stateFile), st); err != nil {
		return "", err
	}
	dir := filepath.Join(root, name)
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	prev, _ := latestCheckpoint(out)
	if err := atomicfile.WriteJSON(filepath.Join(root, checkpointLatest), map[string]string{"dir": name}); err != nil {
		return "", err
	}
	if prev != "" && prev != dir {
		os.RemoveAll(prev)
	}
	return dir, nil
}

// HasCheckpoint reports whether the run folder out holds a checkpoint that
// Config.Resume can continue from.
func HasCheckpoint(out string) bool {
	dir, err := latestCheckpoint(out)
	return err == nil && dir != ""
}

// latestCheckpoint is the folder of the newest checkpoint of a run, or "".
func latestCheckpoint(out string) (string, error) {
	b, err := os.ReadFile(filepath.Join(out, modelstore.CheckpointsDir, checkpointLatest))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var l struct{ Dir string }
	if err := json.Unmarshal(b, &l); err != nil || l.Dir == "" {
		return "", fmt.Errorf("read %s: malformed", checkpointLatest)
	}
	return filepath.Join(out, modelstore.CheckpointsDir, l.Dir), nil
}

// loadCheckpoint restores the trainer's tensors (and moments) from dir and
// returns the saved state and how many tensors were restored.
func loadCheckpoint(dir string, tr *bindings.Trainer, adamw bool) (State, int, error) {
	var st State
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return st, 0, fmt.Errorf("resume: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, 0, fmt.Errorf("resume: parse %s: %w", stateFile, err)
	}
	f, err := gguf.Open(filepath.Join(dir, tensorsFile))
	if err != nil {
		return st, 0, fmt.Errorf("resume: %w", err)
	}
	defer f.Close()
	parts := []bindings.ParamPart{bindings.ParamValue}
	if adamw {
		parts = append(parts, bindings.ParamM, bindings.ParamV)
	}
	for i, p := range tr.Params() {
		for _, part := range parts {
			name := p.Name + momentSuffix[part]
			v, err := f.TensorFloat32(name)
			if err != nil {
				return st, 0, fmt.Errorf("resume: checkpoint does not match this run (%s): %w", name, err)
			}
			if err := tr.Set(i, part, v); err != nil {
				return st, 0, fmt.Errorf("resume: checkpoint does not match this run: %w", err)
			}
		}
	}
	return st, len(tr.Params()), nil
}
