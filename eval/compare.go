package eval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/llm"
	"github.com/codeloom/codeloom/modelstore"
)

// CompareOptions are one evaluation session: the model on its engine
// context (with an adapter, and with Compare also without it), what it is
// evaluated on, and what the report records.
type CompareOptions struct {
	Tool     string         // the program and version, recorded in the report
	Settings map[string]any // every setting that shapes the numbers
	Inputs   []modelstore.Input

	// Context is the engine context of the model under test; nil scores
	// Config.Completions without a model.
	Context Context
	// Adapter is set on Context, at Scale, for the first run; nil
	// evaluates the model alone.
	Adapter llm.Adapter
	Scale   float32
	// Compare also evaluates the model without Adapter ("base"), on the
	// same context, after the run with it.
	Compare bool

	Config Config
	// Out is the folder that receives modelstore.EvalFile, ScorecardMD and
	// SamplesJSONL.
	Out string
}

// Compare evaluates the model of o (the tuned model, then with o.Compare
// its base), fills the deltas and writes the report into o.Out. The runs
// share one context, switching the adapter per call (see WithAdapter).
//
//	s, err := bindings.OpenSession(base, bindings.SessionParams{Adapter: adapter, Scale: 1})
//	rep, err := eval.Compare(ctx, eval.CompareOptions{Context: s.Context, Adapter: s.Adapter, Scale: 1,
//		Compare: true, Config: eval.Config{Records: recs}, Out: "models/mine"})
func Compare(ctx context.Context, o CompareOptions) (*Report, error) {
	rep := &Report{Tool: o.Tool, CreatedAt: time.Now().UTC(), Settings: o.Settings, Inputs: o.Inputs}
	var err error
	if o.Context == nil {
		run, err := Evaluate(ctx, "completions", nil, o.Config)
		if err != nil {
			return nil, err
		}
		rep.Runs = []*Run{run}
	} else if rep.Runs, err = evaluateModel(ctx, o); err != nil {
		return nil, err
	}
	rep.Compare()
	if err := rep.Write(o.Out); err != nil {
		return nil, err
	}
	return rep, nil
}

// evaluateModel evaluates o's model with its adapter (when it has one) and,
// with o.Compare, without it.
func evaluateModel(ctx context.Context, o CompareOptions) ([]*Run, error) {
	grammars := NewGrammars()
	defer grammars.Close()
	cfg := o.Config
	cfg.Syntax = grammars
	name := "model"
	if o.Adapter != nil {
		name = "adapter"
	}
	run, err := Evaluate(ctx, name, WithAdapter(o.Context, o.Adapter, o.Scale), cfg)
	if err != nil {
		return nil, err
	}
	runs := []*Run{run}
	if o.Compare {
		base, err := Evaluate(ctx, "base", WithAdapter(o.Context, nil, 0), cfg)
		if err != nil {
			return nil, err
		}
		runs = append(runs, base)
	}
	return runs, nil
}

// InputFile is a file a report names by its hash: its role ("model",
// "adapter", "tasks", "completions") and its path.
type InputFile struct{ Role, Path string }

// HashInputs hashes files, then the dataset folder when dataset is not "",
// so a report names exactly what it measured.
func HashInputs(ctx context.Context, files []InputFile, dataset string) ([]modelstore.Input, error) {
	var ins []modelstore.Input
	for _, f := range files {
		in, err := HashFile(ctx, f.Role, f.Path)
		if err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	if dataset != "" {
		in, err := HashDataset(ctx, dataset)
		if err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	return ins, nil
}

// HeldOut reads up to limit records (0: all) of split from the dataset
// folder dir; split "all" takes every split.
func HeldOut(ctx context.Context, dir, split string, limit int) ([]dataset.Record, error) {
	var recs []dataset.Record
	errEnough := errors.New("enough records")
	err := dataset.Read(ctx, dir, func(r *dataset.Record) error {
		if split != "all" && r.Split != split {
			return nil
		}
		recs = append(recs, *r)
		if limit > 0 && len(recs) >= limit {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("dataset %s has no records in split %q", dir, split)
	}
	return recs, nil
}
