package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/llm"
)

// Config says what to evaluate and how.
type Config struct {
	Records []dataset.Record // held-out records to complete; none: skip
	Tasks   []Task           // HumanEval-format tasks; none: skip
	// Completions are given samples for Tasks; when nil and an LM is given,
	// the LM writes Samples completions per task.
	Completions []Sample
	Samples     int // completions per task when generating; 0: 1
	// K is the k of pass@k; 0: Samples when generating, the fewest samples
	// any task has when completions are given.
	K         int
	MaxTokens int // per completion; 0: 256
	Syntax    SyntaxChecker
	Exec      ExecOptions
	// Sampling is how several samples of a task are drawn; single
	// completions use it at temperature 0 (see greedy).
	Sampling llm.SampleOptions
	// Progress, when set, is told of each step: stage is "records",
	// "generate" or "execute".
	Progress func(stage string, done, total int)
}

// Run is one model (or one completions file) evaluated. Metrics is flat so
// that runs compare key by key; pass@k appears there as "pass@1" and
// "pass@k" (k in "k"), and in detail in PassAt.
type Run struct {
	Name      string                        `json:"name"`
	Metrics   map[string]float64            `json:"metrics"`
	Languages map[string]map[string]float64 `json:"languages,omitempty"`
	PassAt    *PassAt                       `json:"pass_at,omitempty"`
	// What was written and how it fared, for the samples file.
	Records []RecordSample `json:"-"`
	Tasks   []TaskSample   `json:"-"`
}

// TaskSample is one completion of a task and its outcome.
type TaskSample struct {
	Outcome
	Completion string `json:"completion"`
}

// Evaluate evaluates one LM (nil when cfg.Completions are scored without a
// model) on cfg's records and tasks.
func Evaluate(ctx context.Context, name string, lm LM, cfg Config) (*Run, error) {
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = 256
	}
	cfg.Samples = max(cfg.Samples, 1)
	progress := cfg.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	run := &Run{Name: name, Metrics: map[string]float64{}}
	var timings []timing
	if len(cfg.Records) > 0 {
		if lm == nil {
			return nil, errors.New("evaluating dataset records needs a model")
		}
		n := 0
		res, err := scoreRecords(ctx, lm, cfg.Records, RecordOptions{MaxTokens: cfg.MaxTokens, Sampling: cfg.Sampling, Syntax: cfg.Syntax},
			func() { n++; progress("records", n, len(cfg.Records)) })
		if err != nil {
			return nil, err
		}
		for k, v := range res.metrics {
			run.Metrics[k] = v
		}
		run.Languages, run.Records = res.languages, res.samples
		timings = append(timings, res.timings...)
	}
	if len(cfg.Tasks) > 0 {
		samples, k := cfg.Completions, cfg.K
		if samples == nil {
			if lm == nil {
				return nil, errors.New("tasks need a model or completions")
			}
			var ts []timing
			var err error
			if samples, ts, err = generateTasks(ctx, lm, cfg.Tasks, cfg.Samples, cfg.MaxTokens, cfg.Sampling, progress); err != nil {
				return nil, err
			}
			timings = append(timings, ts...)
			if k == 0 {
				k = cfg.Samples
			}
		}
		if err := scoreTasks(ctx, run, cfg, samples, k, progress); err != nil {
			return nil, err
		}
	}
	latencyMetrics(timings, run.Metrics)
	dropNonFinite(run.Metrics)
	for _, m := range run.Languages {
		dropNonFinite(m)
	}
	return run, nil
}

// dropNonFinite removes values JSON cannot hold (a perplexity that
// overflows, a percentile of nothing): absent reads as "not measured".
func dropNonFinite(m map[string]float64) {
	for k, v := range m {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			delete(m, k)
		}
	}
}

// generateTasks writes n completions of every task: the greedy one when n
// is 1, else n samples drawn with so.
func generateTasks(ctx context.Context, lm LM, tasks []Task, n, maxTokens int, so llm.SampleOptions,
	progress func(string, int, int)) ([]Sample, []timing, error) {
	if n == 1 {
		so = greedy(so)
	}
	var samples []Sample
	var timings []timing
	for _, t := range tasks {
		brace := strings.HasSuffix(strings.TrimSpace(t.Prompt), "{")
		for range n {
			body, tm, err := complete(ctx, lm, t.Prompt, t.Language, brace, maxTokens, so)
			switch {
			case errors.Is(err, llm.ErrPromptTooLong):
				// An empty completion fails the tests, as it should.
			case err != nil:
				return nil, nil, fmt.Errorf("task %s: %w", t.TaskID, err)
			default:
				timings = append(timings, tm)
			}
			samples = append(samples, Sample{TaskID: t.TaskID, Completion: body})
			progress("generate", len(samples), len(tasks)*n)
		}
	}
	return samples, timings, nil
}

// scoreTasks runs samples in the sandbox and adds pass@k to run.
func scoreTasks(ctx context.Context, run *Run, cfg Config, samples []Sample, k int, progress func(string, int, int)) error {
	exec := cfg.Exec
	done := 0
	exec.OnDone = func(Outcome) { done++; progress("execute", done, len(samples)) }
	outcomes, err := Execute(ctx, cfg.Tasks, samples, exec)
	if err != nil {
		return err
	}
	pa, err := ScorePassAt(outcomes, k)
	if err != nil {
		return err
	}
	run.PassAt = &pa
	run.Metrics["pass@1"], run.Metrics["pass@k"], run.Metrics["k"] = pa.Pass1, pa.PassK, float64(pa.K)
	run.Metrics["tasks"], run.Metrics["task_samples"] = float64(pa.Tasks), float64(pa.Samples)
	for i, o := range outcomes {
		run.Tasks = append(run.Tasks, TaskSample{Outcome: o, Completion: samples[i].Completion})
	}
	return nil
}
