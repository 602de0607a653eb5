package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/eval"
	"github.com/codeloom/codeloom/llm"
	"github.com/codeloom/codeloom/pipeline"
)

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

	e, err := openSession(base, bindings.ModelParams{}, bindings.ContextParams{Threads: threads}, adapter, 1)
	if err != nil {
		return err
	}
	defer e.Close()
	cfg := eval.Config{Records: recs, MaxTokens: opt.MaxTokens, Progress: stageProgress(p.c)}
	if rep.Runs, err = evalSession(ctx, e, llm.SampleOptions{}, cfg, true); err != nil {
		return err
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

// sampleRepeatPenalty keeps a small model's greedy sample from looping on
// one token.
const sampleRepeatPenalty = 1.1

// Generate completes a prompt greedily, so the sample is reproducible, with
// a light repeat penalty.
func (p pipelinePhases) Generate(ctx context.Context, base, adapter, prompt string, maxTokens, threads int) (string, error) {
	e, err := openSession(base, bindings.ModelParams{}, bindings.ContextParams{Threads: threads}, adapter, 1)
	if err != nil {
		return "", err
	}
	defer e.Close()
	g, err := e.ctx.Generate(ctx, prompt, llm.GenerateOptions{MaxTokens: maxTokens,
		SampleOptions: llm.SampleOptions{RepeatPenalty: sampleRepeatPenalty}})
	if err != nil {
		return "", err
	}
	return g.Text, nil
}
