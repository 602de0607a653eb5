package pipeline

import (
	"context"
	"fmt"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/eval"
	"github.com/codeloom/codeloom/llm"
)

// eval scores the tuned model and the base on the validation split, as
// `codeloom eval --compare` does, and writes the scorecard into dir.
func (c calls) eval(ctx context.Context, base, adapter, data, dir string, opt EvalConfig, threads int) error {
	recs, err := eval.HeldOut(ctx, data, dataset.SplitValidation, opt.Limit)
	if err != nil {
		return err
	}
	o := eval.CompareOptions{Tool: c.opt.Tool, Out: dir, Compare: true,
		Settings: map[string]any{"split": dataset.SplitValidation, "limit": opt.Limit, "max-tokens": opt.MaxTokens, "compare": true}}
	if o.Inputs, err = eval.HashInputs(ctx, []eval.InputFile{{Role: "model", Path: base}, {Role: "adapter", Path: adapter}}, data); err != nil {
		return err
	}
	s, err := openSession(base, adapter, threads)
	if err != nil {
		return err
	}
	defer s.Close()
	o.Context, o.Adapter, o.Scale = s.Context, s.Adapter, s.Scale
	o.Config = eval.Config{Records: recs, MaxTokens: opt.MaxTokens}
	if d := c.opt.Display.Eval; d != nil {
		o.Config.Progress = d()
	}
	rep, err := eval.Compare(ctx, o)
	if err != nil {
		return err
	}
	tuned, untuned := rep.Runs[0].Metrics, rep.Runs[1].Metrics
	fmt.Fprintf(c.opt.Log, "validation perplexity: base %.2f, tuned %.2f; BLEU-4: base %.4f, tuned %.4f\n",
		untuned["perplexity"], tuned["perplexity"], untuned["bleu4"], tuned["bleu4"])
	return nil
}

// sampleRepeatPenalty keeps a small model's greedy sample from looping on
// one token.
const sampleRepeatPenalty = 1.1

// generate completes a prompt greedily, so the sample is reproducible, with
// a light repeat penalty.
func (c calls) generate(ctx context.Context, base, adapter, prompt string, maxTokens, threads int) (string, error) {
	s, err := openSession(base, adapter, threads)
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

// openSession loads base on the CPU with one context of threads threads
// and, when adapter is not "", that adapter at scale 1.
func openSession(base, adapter string, threads int) (*bindings.Session, error) {
	return bindings.OpenSession(base, bindings.SessionParams{Context: bindings.ContextParams{Threads: threads}, Adapter: adapter, Scale: 1})
}
