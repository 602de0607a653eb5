package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/analysis"
	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/eval"
	"github.com/codeloom/codeloom/extract"
	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/hub"
	"github.com/codeloom/codeloom/pipeline"
	"github.com/codeloom/codeloom/tokenizer"
	"github.com/codeloom/codeloom/train"
)

// pipelinePhases does the pipeline's steps with the packages and the same
// helpers the single commands use, so each step shows the progress and
// writes the files its command would.
type pipelinePhases struct{ c *ucli.Context }

func newPipelinePhases(c *ucli.Context) pipeline.Phases {
	p := pipelinePhases{c}
	return pipeline.Phases{Extract: p, Analyze: p, MakeTiny: p, Pull: p, Train: p, Eval: p, Generate: p, Serve: p}
}

// checkpointEvery bounds the training lost to a kill: a resumed step
// continues from the last checkpoint.
const checkpointEvery = 50

// analysisTop is how many sources the summary and report show.
const analysisTop = 10

func (p pipelinePhases) Extract(ctx context.Context, sources []string, out string, opt pipeline.ExtractConfig) error {
	licenses, err := dataset.ParseLicensePolicy(opt.Licenses)
	if err != nil {
		return fmt.Errorf("extract.licenses: %w", err)
	}
	for _, l := range opt.Languages {
		if extract.LanguageByName(l) == nil {
			return fmt.Errorf("extract.languages: unknown language %q (known: %s)", l, strings.Join(extract.LanguageNames(), ", "))
		}
	}
	filters := dataset.DefaultFilters()
	filters.IncludeTests, filters.Licenses = opt.IncludeTests, licenses
	o := extract.Options{
		Sources: sources, Out: out, Languages: opt.Languages, Filters: filters,
		Dedup:    dataset.DedupOptions{NearThreshold: opt.NearDedup, ExactOnly: opt.NearDedup == 0},
		ValRatio: opt.ValRatio, Tool: "codeloom " + Version, Progress: &extract.Progress{},
		// The extraction cache knows a local folder by its name only; the
		// pipeline reruns this step when the folder changed, so it must not
		// be served the old results.
		Force: slices.ContainsFunc(sources, pipeline.IsLocal),
	}
	stop := showProgress(p.c, o.Progress)
	m, err := extract.Run(ctx, o)
	stop()
	if err != nil {
		return err
	}
	if err := reportExtract(p.c.App.Writer, p.c.App.ErrWriter, out, m); err != nil {
		return err
	}
	if m.Total.Kept == 0 {
		return fmt.Errorf("no functions kept from %s", strings.Join(sources, ", "))
	}
	return nil
}

func (p pipelinePhases) Analyze(ctx context.Context, data, jsonPath, htmlPath string) error {
	r, err := analysis.Analyze(ctx, data)
	if err != nil {
		return err
	}
	if err := analysis.WriteJSON(jsonPath, r); err != nil {
		return err
	}
	if err := analysis.WriteHTML(htmlPath, r, analysisTop); err != nil {
		return err
	}
	return analysis.WriteSummary(p.c.App.Writer, r, analysisTop)
}

// Pull reads the hub settings `codeloom models pull` reads from the
// environment: HF_TOKEN, CODELOOM_HF_ENDPOINT or HF_ENDPOINT.
func (p pipelinePhases) Pull(ctx context.Context, ref, dir string) (string, error) {
	r, err := hub.ParseRef(ref)
	if err != nil {
		return "", err
	}
	endpoint := os.Getenv("CODELOOM_HF_ENDPOINT")
	if endpoint == "" {
		endpoint = os.Getenv("HF_ENDPOINT")
	}
	c := &hub.Client{Endpoint: endpoint, Token: os.Getenv("HF_TOKEN")}
	res, err := c.Download(ctx, r, dir, byteProgress(p.c, r.Name()))
	return res.Path, err
}

// MakeTiny makes a model from scratch: a BPE tokenizer trained on the
// dataset's code, a llama-architecture model with random weights around it
// (init.gguf), then every tensor trained on the same code (model.gguf).
func (p pipelinePhases) MakeTiny(ctx context.Context, data, dir string, opt pipeline.TinyConfig, threads int, resume bool) error {
	init := filepath.Join(dir, "init.gguf")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(init); !resume || err != nil {
		tok, err := trainTokenizer(ctx, data, opt.Vocab)
		if err != nil {
			return err
		}
		fmt.Fprintf(p.c.App.Writer, "tokenizer: %d tokens learned from %s\n", tok.Len(), data)
		shape := gguf.TinyLlamaConfig{Name: filepath.Base(dir), Embd: opt.Dim, Layers: opt.Layers, Heads: opt.Heads,
			Ctx: opt.Ctx, Seed: 1, Tokenizer: tok.Spec()}
		if err := gguf.WriteTinyLlama(ctx, init, shape); err != nil {
			return err
		}
	}
	return p.runTraining(ctx, train.Config{
		Base: init, Data: data, Out: dir, Full: true, Format: train.Completion,
		Schedule: train.Schedule{Kind: "cosine", LR: opt.LearningRate, Warmup: train.Defaults.Schedule.Warmup},
		// Every epoch has at least one step, so max_steps alone decides.
		Epochs: opt.MaxSteps, MaxSteps: opt.MaxSteps, Ctx: opt.Ctx,
		Threads: threads, CheckpointEvery: checkpointEvery, Resume: resume && hasCheckpoint(dir),
	})
}

// trainTokenizer learns a vocabulary of vocab tokens from the code of a
// dataset's records.
func trainTokenizer(ctx context.Context, data string, vocab int) (*tokenizer.Tokenizer, error) {
	var readErr error
	texts := func(yield func(string) bool) {
		stop := errors.New("enough")
		err := dataset.Read(ctx, data, func(r *dataset.Record) error {
			if !yield(r.Code) {
				return stop
			}
			return nil
		})
		if err != nil && !errors.Is(err, stop) {
			readErr = err
		}
	}
	tok, err := tokenizer.Train(ctx, texts, vocab, tokenizer.Options{})
	if readErr != nil {
		return nil, readErr
	}
	return tok, err
}

func (p pipelinePhases) Train(ctx context.Context, base, data, dir string, opt pipeline.TrainConfig, threads int, resume bool) error {
	cfg := train.Config{
		Base: base, Data: data, Out: dir, Format: train.Format(opt.Format),
		Rank: opt.Rank, Alpha: opt.Alpha, Targets: opt.Targets,
		Schedule: train.Schedule{Kind: "cosine", LR: opt.LearningRate, Warmup: train.Defaults.Schedule.Warmup},
		Epochs:   opt.Epochs, MaxSteps: opt.MaxSteps, Ctx: opt.Ctx, MicroBatch: opt.Batch,
		Seed: uint64(opt.Seed), Threads: threads, CheckpointEvery: checkpointEvery,
		Resume: resume && hasCheckpoint(dir),
	}
	return p.runTraining(ctx, cfg)
}

func (p pipelinePhases) runTraining(ctx context.Context, cfg train.Config) error {
	progress := newTrainProgress(p.c.App.ErrWriter)
	res, err := train.Run(ctx, cfg, progress.event)
	progress.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(p.c.App.Writer, "%s after %d steps: train loss %.4f, best validation loss %.4f at step %d\n",
		res.Status, res.Steps, res.TrainLoss, res.BestVal, res.BestStep)
	return nil
}

// hasCheckpoint reports whether an interrupted training left a checkpoint
// to resume from; without one the step starts over.
// TODO(pipeline): use train's own test once it exports one (issue 6 note).
func hasCheckpoint(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "checkpoints"))
	return err == nil
}

// Eval scores the tuned model and the base on the validation split, as
// `codeloom eval --compare` does, and writes the scorecard into dir.
func (p pipelinePhases) Eval(ctx context.Context, base, adapter, data, dir string, opt pipeline.EvalConfig, threads int) error {
	recs, err := heldOut(ctx, data, dataset.SplitValidation, opt.Limit)
	if err != nil {
		return err
	}
	rep := &eval.Report{Tool: "codeloom " + Version, CreatedAt: time.Now().UTC(),
		Settings: map[string]any{"split": dataset.SplitValidation, "limit": opt.Limit, "max-tokens": opt.MaxTokens, "compare": true}}
	for _, in := range []struct{ role, path string }{{"model", base}, {"adapter", adapter}} {
		h, err := eval.HashFile(ctx, in.role, in.path)
		if err != nil {
			return err
		}
		rep.Inputs = append(rep.Inputs, h)
	}
	h, err := eval.HashDataset(ctx, data)
	if err != nil {
		return err
	}
	rep.Inputs = append(rep.Inputs, h)

	m, err := bindings.LoadModel(base, bindings.ModelParams{})
	if err != nil {
		return err
	}
	defer m.Close()
	bctx, err := m.NewContext(bindings.ContextParams{Threads: threads})
	if err != nil {
		return err
	}
	defer bctx.Close()
	a, err := bindings.LoadAdapter(m, adapter)
	if err != nil {
		return err
	}
	defer a.Close()
	defer bctx.SetAdapter(nil, 0) // switch away before the adapter is freed
	cfg := eval.Config{Records: recs, MaxTokens: opt.MaxTokens, Progress: stageProgress(p.c)}
	for _, lm := range []struct {
		name string
		lm   *engineLM
	}{{"adapter", &engineLM{c: bctx, adapter: a, scale: 1}}, {"base", &engineLM{c: bctx}}} {
		run, err := eval.Evaluate(ctx, lm.name, lm.lm, cfg)
		if err != nil {
			return err
		}
		rep.Runs = append(rep.Runs, run)
	}
	rep.Compare()
	if err := rep.Write(dir); err != nil {
		return err
	}
	tuned, untuned := rep.Runs[0].Metrics, rep.Runs[1].Metrics
	fmt.Fprintf(p.c.App.Writer, "validation perplexity: base %.2f, tuned %.2f; BLEU-4: base %.4f, tuned %.4f\n",
		untuned["perplexity"], tuned["perplexity"], untuned["bleu4"], tuned["bleu4"])
	return nil
}

// Generate completes a prompt greedily, so the sample is reproducible.
func (p pipelinePhases) Generate(ctx context.Context, base, adapter, prompt string, maxTokens, threads int) (string, error) {
	m, err := bindings.LoadModel(base, bindings.ModelParams{})
	if err != nil {
		return "", err
	}
	defer m.Close()
	c, err := m.NewContext(bindings.ContextParams{Threads: threads})
	if err != nil {
		return "", err
	}
	defer c.Close()
	if adapter != "" {
		a, err := bindings.LoadAdapter(m, adapter)
		if err != nil {
			return "", err
		}
		defer a.Close()
		defer c.SetAdapter(nil, 0)
		c.SetAdapter(a, 1)
	}
	g, err := c.Generate(ctx, prompt, bindings.GenerateOptions{MaxTokens: maxTokens})
	if err != nil {
		return "", err
	}
	return g.Text, nil
}

// Serve runs `codeloom serve` itself, so the pipeline's server is the one
// the command starts, with its defaults and CODELOOM_API_KEYS.
func (p pipelinePhases) Serve(ctx context.Context, models, addr string, threads int) error {
	app := newApp()
	app.Writer, app.ErrWriter = p.c.App.Writer, p.c.App.ErrWriter
	return app.RunContext(ctx, []string{"codeloom", "serve", "--models", models, "--addr", addr, "--threads", strconv.Itoa(threads)})
}
