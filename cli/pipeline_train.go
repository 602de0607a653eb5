package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/pipeline"
	"github.com/codeloom/codeloom/tokenizer"
	"github.com/codeloom/codeloom/train"
)

// checkpointEvery bounds the training lost to a kill: a resumed step
// continues from the last checkpoint.
const checkpointEvery = 50

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
