package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/train"
)

// tinyCheckpointEvery bounds the training of a tiny base lost to a kill: a
// resumed step continues from the last checkpoint.
const tinyCheckpointEvery = 50

// makeTiny makes a model from scratch: a BPE tokenizer trained on the
// dataset's code and a llama-architecture model with random weights around
// it (init.gguf, as `codeloom model init` makes), then every tensor trained
// on the same code (model.gguf).
func (c calls) makeTiny(ctx context.Context, data, dir string, opt TinyConfig, threads int, resume bool) error {
	init := filepath.Join(dir, "init.gguf")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(init); !resume || err != nil {
		res, err := train.InitModel(ctx, train.InitConfig{Data: data, Out: init, Name: filepath.Base(dir),
			Vocab: opt.Vocab, Layers: opt.Layers, Dim: opt.Dim, Heads: opt.Heads, Ctx: opt.Ctx, Seed: 1})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.opt.Log, "tokenizer: %d tokens learned from %d records of %s; model of %d parameters\n",
			res.Vocab, res.Records, data, res.Parameters)
	}
	return c.runTraining(ctx, train.Config{
		Base: init, Data: data, Out: dir, Full: true, Format: train.Completion,
		Schedule: train.Schedule{Kind: "cosine", LR: opt.LR, Warmup: train.Defaults.Schedule.Warmup},
		// Every epoch has at least one step, so max_steps alone decides.
		Epochs: opt.MaxSteps, MaxSteps: opt.MaxSteps, Ctx: opt.Ctx,
		Threads: threads, CheckpointEvery: tinyCheckpointEvery, Resume: resume && train.HasCheckpoint(dir),
	})
}

func (c calls) train(ctx context.Context, base, data, dir string, opt TrainConfig, threads int, resume bool) error {
	return c.runTraining(ctx, train.Config{
		Base: base, Data: data, Out: dir, Format: train.Format(opt.Format),
		Rank: opt.Rank, Alpha: opt.Alpha, Targets: opt.Targets, Optimizer: opt.Optimizer,
		Schedule:    train.Schedule{Kind: opt.Schedule, LR: opt.LR, MinLR: opt.MinLR, Warmup: opt.Warmup},
		WeightDecay: opt.WeightDecay, Beta1: opt.Beta1, Beta2: opt.Beta2,
		Epochs: opt.Epochs, MaxSteps: opt.MaxSteps, Ctx: opt.Ctx, MicroBatch: opt.MicroBatch, GradAccum: opt.GradAccum,
		EvalEvery: opt.EvalEvery, MaxEvalWindows: opt.MaxEvalWindows, Patience: opt.Patience, MinDelta: opt.MinDelta,
		CheckpointEvery: opt.CheckpointEvery, Seed: opt.Seed, Threads: threads,
		Resume: resume && train.HasCheckpoint(dir),
	})
}

func (c calls) runTraining(ctx context.Context, cfg train.Config) error {
	var event func(train.Event)
	done := func() {}
	if d := c.opt.Display.Train; d != nil {
		event, done = d()
	}
	res, err := train.Run(ctx, cfg, event)
	done()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.opt.Log, "%s after %d steps: train loss %.4f, best validation loss %.4f at step %d\n",
		res.Status, res.Steps, res.TrainLoss, res.BestVal, res.BestStep)
	return nil
}
