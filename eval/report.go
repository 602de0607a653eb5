package eval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/internal/atomicfile"
)

// Report is everything one `codeloom eval` measured: eval.json.
type Report struct {
	Tool      string         `json:"tool"`
	CreatedAt time.Time      `json:"created_at"`
	Settings  map[string]any `json:"settings"`
	Inputs    []Input        `json:"inputs"`
	// Runs holds the model under test first (with its adapter, when one is
	// given), then with --compare the base model without the adapter.
	Runs []*Run `json:"runs"`
	// Deltas is Runs[0] minus Runs[1] for every metric both have.
	Deltas map[string]float64 `json:"deltas,omitempty"`
}

// Input is a file or dataset the evaluation read, with its content hash.
type Input struct {
	Role   string `json:"role"` // model, adapter, dataset, tasks, completions
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// Report file names inside the output folder.
const (
	ReportFile   = "eval.json"
	ScorecardMD  = "eval.md"
	SamplesJSONL = "eval-samples.jsonl"
)

// HashFile hashes one input file.
func HashFile(ctx context.Context, role, path string) (Input, error) {
	in := Input{Role: role, Path: path}
	h := sha256.New()
	if err := hashInto(ctx, h, path, &in.Bytes); err != nil {
		return in, err
	}
	in.SHA256 = hex.EncodeToString(h.Sum(nil))
	return in, nil
}

// HashDataset hashes the JSONL shards of a dataset folder, in order, as one
// stream: the hash changes when any record does.
func HashDataset(ctx context.Context, dir string) (Input, error) {
	in := Input{Role: "dataset", Path: dir}
	shards, err := dataset.Shards(dir)
	if err != nil {
		return in, err
	}
	h := sha256.New()
	for _, s := range shards {
		if err := hashInto(ctx, h, s, &in.Bytes); err != nil {
			return in, err
		}
	}
	in.SHA256 = hex.EncodeToString(h.Sum(nil))
	return in, nil
}

func hashInto(ctx context.Context, w io.Writer, path string, n *int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	buf := make([]byte, 4<<20)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, err := f.Read(buf)
		w.Write(buf[:k])
		*n += int64(k)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("hash %s: %w", path, err)
		}
	}
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
		{ReportFile, func(w io.Writer) error {
			e := json.NewEncoder(w)
			e.SetIndent("", "  ")
			return e.Encode(r)
		}},
	}
	for _, f := range files {
		if err := atomicfile.Write(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
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
