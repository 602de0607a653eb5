package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/internal/atomicfile"
	"github.com/codeloom/codeloom/internal/digest"
	"github.com/codeloom/codeloom/modelstore"
)

// Report is everything one `codeloom eval` measured. It is written as
// eval.json (modelstore.Eval, which names its fields) and the scorecard
// files beside it.
type Report struct {
	Tool      string
	CreatedAt time.Time
	Settings  map[string]any
	Inputs    []modelstore.Input
	// Runs holds the model under test first (with its adapter, when one is
	// given), then with --compare the base model without the adapter.
	Runs []*Run
	// Deltas is Runs[0] minus Runs[1] for every metric both have.
	Deltas map[string]float64
}

// Report file names inside the output folder, beside modelstore.EvalFile.
const (
	ScorecardMD  = "eval.md"
	SamplesJSONL = "eval-samples.jsonl"
)

// HashFile hashes one input file.
func HashFile(ctx context.Context, role, path string) (modelstore.Input, error) {
	in := modelstore.Input{Role: role, Path: path}
	var err error
	in.SHA256, in.Bytes, err = digest.Files(ctx, path)
	return in, err
}

// HashDataset hashes the JSONL shards of a dataset folder, in order, as one
// stream: the hash changes when any record does.
func HashDataset(ctx context.Context, dir string) (modelstore.Input, error) {
	in := modelstore.Input{Role: "dataset", Path: dir}
	shards, err := dataset.Shards(dir)
	if err != nil {
		return in, err
	}
	in.SHA256, in.Bytes, err = digest.Files(ctx, shards...)
	return in, err
}

// Compare fills Deltas from the first two runs.
func (r *Report) Compare() {
	if len(r.Runs) < 2 {
		return
	}
	r.Deltas = map[string]float64{}
	for k, a := range r.Runs[0].Metrics {
		if b, ok := r.Runs[1].Metrics[k]; ok {
			r.Deltas[k] = a - b
		}
	}
}

// Write writes eval.json, the Markdown scorecard eval.md and the samples
// (eval-samples.jsonl: every completion with its scores, one per line) into
// dir, each to a temporary name first and renamed into place.
func (r *Report) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{SamplesJSONL, r.writeSamples},
		{ScorecardMD, r.writeMarkdown},
	}
	for _, f := range files {
		if err := atomicfile.Write(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	e, err := r.file()
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return modelstore.WriteEval(dir, e)
}

// file is the report as eval.json holds it.
func (r *Report) file() (*modelstore.Eval, error) {
	e := &modelstore.Eval{Tool: r.Tool, CreatedAt: r.CreatedAt, Settings: r.Settings, Inputs: r.Inputs, Deltas: r.Deltas,
		Runs: make([]modelstore.EvalRun, len(r.Runs))}
	for i, run := range r.Runs {
		e.Runs[i] = modelstore.EvalRun{Name: run.Name, Metrics: run.Metrics, Languages: run.Languages}
		if run.PassAt != nil {
			raw, err := modelstore.Raw(run.PassAt)
			if err != nil {
				return nil, err
			}
			e.Runs[i].PassAt = raw
		}
	}
	return e, nil
}

func (r *Report) writeSamples(w io.Writer) error {
	e := json.NewEncoder(w)
	for _, run := range r.Runs {
		for _, s := range run.Records {
			if err := e.Encode(struct {
				Run string `json:"run"`
				RecordSample
			}{run.Name, s}); err != nil {
				return err
			}
		}
		for _, s := range run.Tasks {
			if err := e.Encode(struct {
				Run string `json:"run"`
				TaskSample
			}{run.Name, s}); err != nil {
				return err
			}
		}
	}
	return nil
}
