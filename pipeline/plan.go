package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/codeloom/codeloom/hub"
)

// Files of a pipeline run inside the model folder.
const (
	AdapterFile  = "adapter.gguf"
	EvalFile     = "eval.json"
	AnalysisFile = "analysis.json"
	ReportFile   = "report.html"
	SampleFile   = "sample.txt"
	TinyFile     = "model.gguf"
)

// extractSettings are what an extraction's result depends on.
type extractSettings struct {
	Sources []string
	Extract ExtractConfig
}

// Plan turns a configuration into the steps that carry it out, in order.
func Plan(cfg *Config, ph Phases) ([]Step, error) {
	sources, err := expandSources(cfg.Extract.Sources)
	if err != nil {
		return nil, fmt.Errorf("extract.sources: %w", err)
	}
	modelDir := cfg.ModelDir()
	dataset := cfg.DatasetDir()
	adapter := filepath.Join(modelDir, AdapterFile)

	var steps []Step
	base, baseSteps, err := planBase(cfg, ph)
	if err != nil {
		return nil, err
	}
	steps = append(steps, baseSteps.extract...)
	steps = append(steps,
		Step{
			Name: "extract", Settings: extractSettings{sources, cfg.Extract},
			Inputs: localPaths(sources), Outputs: []string{dataset},
			Run: func(ctx context.Context) error { return ph.Extract.Extract(ctx, sources, dataset, cfg.Extract) },
		},
		Step{
			Name: "analyze", After: []string{"extract"},
			Outputs: []string{filepath.Join(modelDir, AnalysisFile), filepath.Join(modelDir, ReportFile)},
			Run: func(ctx context.Context) error {
				return ph.Analyze.Analyze(ctx, dataset, filepath.Join(modelDir, AnalysisFile), filepath.Join(modelDir, ReportFile))
			},
		})
	steps = append(steps, baseSteps.model...)
	trainAfter := []string{"extract"}
	if baseSteps.model != nil {
		trainAfter = append(trainAfter, "base")
	}
	steps = append(steps,
		Step{
			Name: "train", Settings: cfg.Train, After: trainAfter, Inputs: baseSteps.inputs,
			Outputs: []string{adapter},
			Run: func(ctx context.Context) error {
				return ph.Train.Train(ctx, base, dataset, modelDir, cfg.Train, cfg.Threads)
			},
		},
		Step{
			Name: "eval", Settings: cfg.Eval, After: []string{"train"},
			Outputs: []string{filepath.Join(modelDir, EvalFile)},
			Run: func(ctx context.Context) error {
				return ph.Eval.Eval(ctx, base, adapter, dataset, filepath.Join(modelDir, EvalFile), cfg.Eval, cfg.Threads)
			},
		},
		Step{
			Name: "sample", Settings: cfg.Eval, After: []string{"train"},
			Outputs: []string{filepath.Join(modelDir, SampleFile)},
			Run: func(ctx context.Context) error {
				return writeSample(ctx, ph.Generate, base, adapter, filepath.Join(modelDir, SampleFile), cfg)
			},
		})
	return steps, nil
}

// baseSteps are the steps that provide the base model: for a tiny base an
// extraction of its own data and the training from scratch, for a hub model
// the download; a local file needs none and is an input of training.
type baseSteps struct {
	extract []Step
	model   []Step
	inputs  []string
}

func planBase(cfg *Config, ph Phases) (string, baseSteps, error) {
	switch {
	case cfg.Base.Model == TinyBase:
		sources, err := expandSources(cfg.Base.Tiny.Sources)
		if err != nil {
			return "", baseSteps{}, fmt.Errorf("base.tiny.sources: %w", err)
		}
		data := cfg.BaseDatasetDir()
		out := filepath.Join(cfg.TinyBaseDir(), TinyFile)
		// The base is trained on every function of its sources: its
		// validation split is for the training's own loss.
		return out, baseSteps{
			extract: []Step{{
				Name: "extract-base", Settings: extractSettings{sources, cfg.Extract},
				Inputs: localPaths(sources), Outputs: []string{data},
				Run: func(ctx context.Context) error { return ph.Extract.Extract(ctx, sources, data, cfg.Extract) },
			}},
			model: []Step{{
				Name: "base", Settings: cfg.Base.Tiny, After: []string{"extract-base"}, Outputs: []string{out},
				Run: func(ctx context.Context) error {
					return ph.MakeTiny.MakeTiny(ctx, data, out, cfg.Base.Tiny, cfg.Threads)
				},
			}},
		}, nil
	case strings.HasPrefix(cfg.Base.Model, hub.Scheme):
		ref, err := hub.ParseRef(cfg.Base.Model)
		if err != nil {
			return "", baseSteps{}, fmt.Errorf("base.model: %w", err)
		}
		out := filepath.Join(cfg.Models, ref.Name())
		return out, baseSteps{model: []Step{{
			Name: "base", Settings: cfg.Base.Model, Outputs: []string{out},
			Run: func(ctx context.Context) error {
				_, err := ph.Pull.Pull(ctx, cfg.Base.Model, cfg.Models)
				return err
			},
		}}}, nil
	default:
		return cfg.Base.Model, baseSteps{inputs: []string{cfg.Base.Model}}, nil
	}
}

// localPaths keeps the sources that name local folders or files (a @list
// file counts as the file): remote ones are known by their names alone.
func localPaths(sources []string) []string {
	var out []string
	for _, s := range sources {
		if !strings.Contains(s, "://") && !strings.HasPrefix(s, "git@") {
			out = append(out, strings.TrimPrefix(s, "@"))
		}
	}
	return out
}

// writeSample completes the configured prompt with the base alone and with
// the adapter, so the difference fine-tuning made can be read.
func writeSample(ctx context.Context, g Generator, base, adapter, out string, cfg *Config) error {
	var b strings.Builder
	for _, m := range []struct{ label, adapter string }{{"base", ""}, {"tuned", adapter}} {
		text, err := g.Generate(ctx, base, m.adapter, cfg.Eval.SamplePrompt, cfg.Eval.MaxTokens, cfg.Threads)
		if err != nil {
			return fmt.Errorf("generate with the %s model: %w", m.label, err)
		}
		fmt.Fprintf(&b, "--- %s model\n%s%s\n", m.label, cfg.Eval.SamplePrompt, text)
	}
	return writeFileAtomic(out, []byte(b.String()))
}
