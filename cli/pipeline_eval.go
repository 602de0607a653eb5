package cli

import (
	"context"
	"fmt"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/eval"
	"github.com/codeloom/codeloom/llm"
	"github.com/codeloom/codeloom/pipeline"
)

// Eval scores the tuned model and the base on the validation split, as
// `codeloom eval --compare` does, and writes the scorecard into dir.
func (p pipelinePhases) Eval(ctx context.Context, base, adapter, data, dir string, opt pipeline.EvalConfig, threads int) error {
	recs, err := eval.HeldOut(ctx, data, dataset.SplitValidation, opt.Limit)
	if err != nil {
		return err
	}
	o := eval.CompareOptions{Tool: "codeloom " + Version, Out: dir, Compare: true,
		Settings: map[string]any{"split": dataset.SplitValidation, "limit": opt.Limit, "max-tokens": opt.MaxTokens, "compare": true}}
	if o.Inputs, err = eval.HashInputs(ctx, []eval.InputFile{{Role: "model", Path: base}, {Role: "adapter", Path: adapter}}, data); err != nil {
		return err
	}
	s, err := bindings.OpenSession(base, bindings.SessionParams{Context: bindings.ContextParams{Threads: threads}, Adapter: adapter, Scale: 1})
	if err != nil {
		return err
	}
	defer s.Close()
	o.Context, o.Adapter, o.Scale = s.Context, s.Adapter, s.Scale
	o.Config = eval.Config{Records: recs, MaxTokens: opt.MaxTokens, Progress: stageProgress(p.c)}
	rep, err := eval.Compare(ctx, o)
	if err != nil {
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
	s, err := bindings.OpenSession(base, bindings.SessionParams{Context: bindings.ContextParams{Threads: threads}, Adapter: adapter, Scale: 1})
	if err != nil {
		return "", err
	}
	defer s.Close()
	g, err := s.Context.Generate(ctx, prompt, llm.GenerateOptions{MaxTokens: maxTokens,
		SampleOptions: llm.SampleOptions{RepeatPenalty: sampleRepeatPenalty}})
	if err != nil {
		return "", err
	}
	return g.Text, nil
}
