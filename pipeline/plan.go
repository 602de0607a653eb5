package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/codeloom/codeloom/hub"
	"github.com/codeloom/codeloom/internal/sourcespec"
	"github.com/codeloom/codeloom/modelstore"
)

// The pipeline's own files, in the pipeline/ subfolder of the model
// folder. The adapter, base reference and scorecard are the model store's
// (see modelstore), where `codeloom serve` finds them.
const (
	PipelineDir  = "pipeline"
	StateFile    = "state.json"
	AnalysisFile = "analysis.json"
	ReportFile   = "report.html"
	SampleFile   = "sample.txt"
)

// extractSettings are what an extraction's result depends on.
type extractSettings struct {
	Sources []string
	Extract ExtractConfig
}

// plan turns a configuration into the steps that carry it out, in order.
func plan(cfg *Config, ph phases) ([]Step, error) {
	sources, err := expandSources(cfg.Extract.Sources)
	if err != nil {
		return nil, fmt.Errorf("extract.sources: %w", err)
	}
	modelDir, own := cfg.ModelDir(), cfg.pipelineDir()
	dataset := cfg.DatasetDir()
	adapter := filepath.Join(modelDir, modelstore.AdapterFile)
	base, baseSteps, err := planBase(cfg, ph)
	if err != nil {
		return nil, err
	}

	steps := append([]Step(nil), baseSteps.extract...)
	steps = append(steps,
		Step{
			Name: "extract", Settings: extractSettings{sources, cfg.Extract},
			Inputs: localPaths(sources), Outputs: []string{dataset},
			Run: func(ctx context.Context, _ bool) error { return ph.extract(ctx, sources, dataset, cfg.Extract) },
		},
		Step{
			Name: "analyze", After: []string{"extract"},
			Outputs: []string{filepath.Join(own, AnalysisFile), filepath.Join(own, ReportFile)},
			Run: func(ctx context.Context, _ bool) error {
				return ph.analyze(ctx, dataset, filepath.Join(own, AnalysisFile), filepath.Join(own, ReportFile))
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
			Run: func(ctx context.Context, resume bool) error {
				if !resume {
					if err := emptyDir(modelDir, PipelineDir); err != nil {
						return err
					}
				}
				if err := ph.train(ctx, base, dataset, modelDir, cfg.Train, cfg.Threads, resume); err != nil {
					return err
				}
				return modelstore.WriteBaseRef(modelDir, base)
			},
		},
		Step{
			Name: "eval", Settings: [2]int{cfg.Eval.Limit, cfg.Eval.MaxTokens}, After: []string{"train"},
			Outputs: []string{filepath.Join(modelDir, modelstore.EvalFile)},
			Run: func(ctx context.Context, _ bool) error {
				return ph.eval(ctx, base, adapter, dataset, modelDir, cfg.Eval, cfg.Threads)
			},
		},
		Step{
			Name: "sample", Settings: []any{cfg.Eval.SamplePrompt, cfg.Eval.MaxTokens}, After: []string{"train"},
			Outputs: []string{filepath.Join(own, SampleFile)},
			Run: func(ctx context.Context, _ bool) error {
				return writeSample(ctx, ph, base, adapter, filepath.Join(own, SampleFile), cfg)
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

func planBase(cfg *Config, ph phases) (string, baseSteps, error) {
	switch {
	case cfg.Base.Model == TinyBase:
		sources, err := expandSources(cfg.Base.Tiny.Sources)
		if err != nil {
			return "", baseSteps{}, fmt.Errorf("base.tiny.sources: %w", err)
		}
		data, dir := cfg.BaseDatasetDir(), cfg.TinyBaseDir()
		out := filepath.Join(dir, modelstore.ModelFile)
		return out, baseSteps{
			extract: []Step{{
				Name: "extract-base", Settings: extractSettings{sources, cfg.Extract},
				Inputs: localPaths(sources), Outputs: []string{data},
				Run: func(ctx context.Context, _ bool) error { return ph.extract(ctx, sources, data, cfg.Extract) },
			}},
			model: []Step{{
				Name: "base", Settings: cfg.Base.Tiny, After: []string{"extract-base"}, Outputs: []string{out},
				Run: func(ctx context.Context, resume bool) error {
					if !resume {
						if err := emptyDir(dir); err != nil {
							return err
						}
					}
					return ph.makeTiny(ctx, data, dir, cfg.Base.Tiny, cfg.Threads, resume)
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
			Run: func(ctx context.Context, _ bool) error {
				_, err := ph.pull(ctx, cfg.Base.Model, cfg.Models)
				return err
			},
		}}}, nil
	default:
		return cfg.Base.Model, baseSteps{inputs: []string{cfg.Base.Model}}, nil
	}
}

// emptyDir makes dir an empty folder but for the entries named in keep, so
// a step that starts afresh does not find an earlier run's files (training
// refuses to overwrite a run it did not resume).
func emptyDir(dir string, keep ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if slices.Contains(keep, e.Name()) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("clear the earlier run: %w", err)
		}
	}
	return nil
}

// localPaths keeps the local sources (a @list file counts as the file):
// remote ones are known by their names alone.
func localPaths(sources []string) []string {
	var out []string
	for _, s := range sources {
		if sourcespec.IsLocal(s) {
			out = append(out, strings.TrimPrefix(s, "@"))
		}
	}
	return out
}

// writeSample completes the configured prompt with the base alone and with
// the adapter, so the difference fine-tuning made can be read.
func writeSample(ctx context.Context, ph phases, base, adapter, out string, cfg *Config) error {
	var b strings.Builder
	for _, m := range []struct{ label, adapter string }{{"base", ""}, {"tuned", adapter}} {
		text, err := ph.generate(ctx, base, m.adapter, cfg.Eval.SamplePrompt, cfg.Eval.MaxTokens, cfg.Threads)
		if err != nil {
			return fmt.Errorf("generate with the %s model: %w", m.label, err)
		}
		fmt.Fprintf(&b, "--- %s model\n%s%s\n", m.label, cfg.Eval.SamplePrompt, text)
	}
	return writeFileAtomic(out, []byte(b.String()))
}
