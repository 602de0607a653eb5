package cli

import (
	"fmt"
	"path/filepath"
	"runtime"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/eval"
	"github.com/codeloom/codeloom/modelstore"
)

// samplingTemperature is used with --samples above 1 when --temperature is
// not given: greedy samples would all be the same.
const samplingTemperature = 0.8

func evalCommand() *ucli.Command {
	flags := []ucli.Flag{
		&ucli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "GGUF model file (not needed with --completions)"},
		&ucli.StringFlag{Name: "adapter", Usage: "LoRA adapter file (GGUF) to evaluate on top of --model"},
		&ucli.Float64Flag{Name: "scale", Value: 1, Usage: "adapter scale"},
		&ucli.BoolFlag{Name: "compare", Usage: "also evaluate --model without the adapter, side by side, with deltas"},
		&ucli.StringFlag{Name: "data", Aliases: []string{"d"}, Usage: "dataset folder: complete held-out records and score them against the real bodies"},
		&ucli.StringFlag{Name: "split", Value: dataset.SplitValidation, Usage: "records of this split (\"all\" for every record)"},
		&ucli.IntFlag{Name: "limit", Value: 200, Usage: "records to evaluate at most (0 = all)"},
		&ucli.StringFlag{Name: "tasks", Usage: "HumanEval-format task file (JSONL or .jsonl.gz): run completions against the tests, report pass@k"},
		&ucli.StringFlag{Name: "completions", Usage: "score these completions ({task_id, completion} per line) of --tasks instead of generating"},
		&ucli.IntFlag{Name: "samples", Aliases: []string{"k"}, Value: 1, Usage: "completions per task, and the k of pass@k; above 1 they are sampled (at --temperature, 0.8 unless set), else greedy"},
		&ucli.IntFlag{Name: "max-tokens", Aliases: []string{"n"}, Value: 256, Usage: "tokens per completion at most"},
		&ucli.DurationFlag{Name: "timeout", Value: eval.DefaultLimits().Timeout, Usage: "wall-clock limit per candidate run"},
		&ucli.IntFlag{Name: "workers", Usage: "candidates run at once in the sandbox; 0 = half the CPUs", DefaultText: "half the CPUs"},
		&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "folder for eval.json, eval.md and eval-samples.jsonl", DefaultText: "the adapter's folder, else ./eval"},
	}
	flags = append(flags, sampleFlags()...)
	flags = append(flags, modelFlags()...)
	return &ucli.Command{
		Name:  "eval",
		Usage: "score a model (and adapter) on held-out records and HumanEval-format tasks; write eval.json and a scorecard",
		Description: `With --data, prompts are the held-out records' signatures and docstrings; the completions are
scored for syntax validity, BLEU-4, exact match and edit similarity against the real bodies, and the
records' code for perplexity. With --tasks, completions run against the tasks' tests in a sandbox
(no network, resource limits; needs root) and pass@1 and pass@k are reported. --completions scores
a completions file without a model.`,
		Flags:  flags,
		Action: runEval,
	}
}

func runEval(c *ucli.Context) error {
	cfg, err := evalConfig(c)
	if err != nil {
		return err
	}
	ctx := c.Context
	o := eval.CompareOptions{Tool: "codeloom " + Version, Settings: evalSettings(c), Compare: c.Bool("compare")}
	o.Settings["workers"] = cfg.Exec.Workers
	if o.Inputs, err = eval.HashInputs(ctx, evalInputs(c), c.String("data")); err != nil {
		return err
	}
	if cfg.Tasks, cfg.Completions, err = loadTaskFiles(c); err != nil {
		return err
	}
	if c.String("data") != "" {
		if cfg.Records, err = eval.HeldOut(ctx, c.String("data"), c.String("split"), c.Int("limit")); err != nil {
			return err
		}
	}
	o.Out = c.String("out")
	if o.Out == "" {
		o.Out = "eval"
		if a := c.String("adapter"); a != "" {
			o.Out = filepath.Dir(a)
		}
	}
	if c.String("model") != "" {
		if err := applyModelDefaults(c, c.String("model"), c.String("adapter")); err != nil {
			return err
		}
		if cfg.Sampling, err = sampleOptions(c); err != nil {
			return err
		}
		cfg.Sampling.Temperature = float32(temperature(c))
		s, err := openSessionFlags(c, c.String("model"))
		if err != nil {
			return err
		}
		defer s.Close()
		o.Context, o.Scale = s.Context, s.Scale
		if s.Adapter != nil {
			o.Adapter = s.Adapter
		}
	}
	o.Config = cfg
	rep, err := eval.Compare(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "%s\n%s\n", filepath.Join(o.Out, modelstore.EvalFile), filepath.Join(o.Out, eval.ScorecardMD))
	return printScores(c.App.Writer, rep)
}

// evalConfig checks the flags' combination and turns them into a Config
// (without the records and tasks, which are read later).
func evalConfig(c *ucli.Context) (eval.Config, error) {
	var cfg eval.Config
	model, data, tasks, completions := c.String("model"), c.String("data"), c.String("tasks"), c.String("completions")
	switch {
	case completions != "" && tasks == "":
		return cfg, usageError("eval: --completions needs --tasks")
	case data == "" && tasks == "":
		return cfg, usageError("eval: give --data DATASET, --tasks FILE, or both")
	case model == "" && (completions == "" || data != ""):
		return cfg, usageError("eval: --model is needed unless --tasks and --completions are scored alone")
	case c.String("adapter") != "" && model == "":
		return cfg, usageError("eval: --adapter needs --model")
	case c.Bool("compare") && c.String("adapter") == "":
		return cfg, usageError("eval: --compare needs --adapter (it compares the model with and without it)")
	case c.Int("samples") < 1:
		return cfg, usageError("eval: --samples %d: want 1 or more", c.Int("samples"))
	case c.Int("max-tokens") < 1:
		return cfg, usageError("eval: --max-tokens %d: want 1 or more", c.Int("max-tokens"))
	case c.Int("limit") < 0:
		return cfg, usageError("eval: --limit %d: want 0 (all) or more", c.Int("limit"))
	case c.Duration("timeout") <= 0:
		return cfg, usageError("eval: --timeout %v: want a positive duration", c.Duration("timeout"))
	case c.Int("workers") < 0:
		return cfg, usageError("eval: --workers %d: want 0 (half the CPUs) or more", c.Int("workers"))
	}
	limits := eval.DefaultLimits()
	limits.Timeout = c.Duration("timeout")
	cfg.Samples, cfg.MaxTokens = c.Int("samples"), c.Int("max-tokens")
	if completions != "" && !c.IsSet("samples") {
		cfg.Samples = 0 // k: the fewest samples any task has
	}
	cfg.K = cfg.Samples
	workers := c.Int("workers")
	if workers == 0 {
		workers = max(1, runtime.NumCPU()/2)
	}
	cfg.Exec = eval.ExecOptions{Limits: limits, Workers: workers}
	cfg.Progress = stageProgress(c)
	return cfg, nil
}

// evalSettings records every setting that shapes the numbers.
func evalSettings(c *ucli.Context) map[string]any {
	names := []string{"samples"}
	if c.String("data") != "" {
		names = append(names, "split", "limit")
	}
	if c.String("model") != "" {
		names = append(names, "max-tokens", "scale", "compare", "top-k", "top-p", "min-p", "repeat-penalty", "seed", "ctx")
	}
	s := map[string]any{"timeout": c.Duration("timeout").String()}
	for _, name := range names {
		s[name] = c.Value(name)
	}
	if c.String("model") != "" {
		s["temperature"] = temperature(c)
	}
	return s
}

func temperature(c *ucli.Context) float64 {
	if c.Int("samples") > 1 && !c.IsSet("temperature") {
		return samplingTemperature
	}
	return c.Float64("temperature")
}

// evalInputs are the input files the flags name, so a scorecard names
// exactly what it measured.
func evalInputs(c *ucli.Context) []eval.InputFile {
	var files []eval.InputFile
	for _, role := range []string{"model", "adapter", "tasks", "completions"} {
		if p := c.String(role); p != "" {
			files = append(files, eval.InputFile{Role: role, Path: p})
		}
	}
	return files
}

func loadTaskFiles(c *ucli.Context) ([]eval.Task, []eval.Sample, error) {
	if c.String("tasks") == "" {
		return nil, nil, nil
	}
	tasks, err := eval.LoadTasks(c.String("tasks"))
	if err != nil {
		return nil, nil, err
	}
	if c.String("completions") == "" {
		return tasks, nil, nil
	}
	samples, err := eval.LoadSamples(c.String("completions"))
	return tasks, samples, err
}

// stageProgress shows the evaluation's stages on stderr (see newStageProgress).
func stageProgress(c *ucli.Context) func(stage string, done, total int) {
	return newStageProgress(c.App.ErrWriter)
}
