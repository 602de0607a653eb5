package train

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/codeloom/codeloom/bindings"
)

// Config is one training run. Zero fields take the defaults of Defaults.
type Config struct {
	Base   string `json:"base"`   // base model GGUF
	Data   string `json:"data"`   // dataset folder, or a JSONL or Parquet file
	Out    string `json:"out"`    // run folder: adapter.gguf (or model.gguf), checkpoints, logs
	Format Format `json:"format"` // codeloom's records: completion, instruct or fim

	DataFormat    DataFormat `json:"data_format"`               // shape of the records; auto tells it from the first one
	ChatTemplate  string     `json:"chat_template,omitempty"`   // chat data: "" for the base model's own, chatml, or a built-in template's name
	TrainOnPrompt bool       `json:"train_on_prompt,omitempty"` // score prompts (user, system) too, not only responses

	Full    bool     `json:"full"`    // train every tensor (writes model.gguf) instead of a LoRA adapter
	Rank    int      `json:"rank"`    // LoRA rank
	Alpha   float64  `json:"alpha"`   // LoRA alpha; the update is scaled by alpha/rank
	Targets []string `json:"targets"` // LoRA target projections (GGUF names, see bindings.LoRATargets)

	Optimizer   string   `json:"optimizer"` // adamw or sgd
	Schedule    Schedule `json:"schedule"`  // learning rate; Total is filled in from the run length
	WeightDecay float64  `json:"weight_decay"`
	Beta1       float64  `json:"beta1"`
	Beta2       float64  `json:"beta2"`
	Eps         float64  `json:"eps"`

	Epochs     int `json:"epochs"`      // passes over the training windows
	MaxSteps   int `json:"max_steps"`   // stop after this many optimizer steps (0: epochs decide)
	Ctx        int `json:"ctx"`         // tokens per window
	MicroBatch int `json:"micro_batch"` // windows per forward/backward group
	GradAccum  int `json:"grad_accum"`  // micro-batches per optimizer step

	EvalEvery       int     `json:"eval_every"`       // validate every N steps (0: at the end of each epoch)
	MaxEvalWindows  int     `json:"max_eval_windows"` // validation windows used (0: all)
	Patience        int     `json:"patience"`         // stop after N evaluations without improvement (0: never)
	MinDelta        float64 `json:"min_delta"`        // smallest validation loss decrease that counts
	CheckpointEvery int     `json:"checkpoint_every"` // checkpoint every N steps (0: only at the end and on cancel)
	Resume          bool    `json:"resume"`           // continue from Out's latest checkpoint

	Seed         uint64 `json:"seed"`
	Threads      int    `json:"threads"`
	GPU          bool   `json:"gpu"`
	ExportPEFT   bool   `json:"export_peft"`   // also write adapter_model.safetensors + adapter_config.json
	SlowBackward bool   `json:"slow_backward"` // ggml's OUT_PROD input gradients (for comparison)
}

// Defaults are the values zero Config fields take.
var Defaults = Config{
	Format: Completion, DataFormat: DataAuto, Rank: 8, Alpha: 16, Targets: bindings.LoRATargets,
	Optimizer: "adamw", Schedule: Schedule{Kind: "cosine", LR: 2e-4, Warmup: 10},
	Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
	Epochs: 1, Ctx: 512, MicroBatch: 1, GradAccum: 1, Seed: 42,
}

func (c Config) withDefaults() Config {
	d := Defaults
	set := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setf := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	if c.Format == "" {
		c.Format = d.Format
	}
	if c.DataFormat == "" {
		c.DataFormat = d.DataFormat
	}
	if c.Targets == nil {
		c.Targets = d.Targets
	}
	if c.Optimizer == "" {
		c.Optimizer = d.Optimizer
	}
	if c.Schedule.Kind == "" {
		c.Schedule.Kind = d.Schedule.Kind
	}
	setf(&c.Schedule.LR, d.Schedule.LR)
	set(&c.Rank, d.Rank)
	setf(&c.Alpha, 2*float64(c.Rank))
	setf(&c.Beta1, d.Beta1)
	setf(&c.Beta2, d.Beta2)
	setf(&c.Eps, d.Eps)
	set(&c.Epochs, d.Epochs)
	set(&c.Ctx, d.Ctx)
	set(&c.MicroBatch, d.MicroBatch)
	set(&c.GradAccum, d.GradAccum)
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	if c.Threads == 0 {
		c.Threads = bindings.DefaultThreads()
	}
	return c
}

func (c Config) check() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Base == "" {
		add("no base model")
	}
	if c.Data == "" {
		add("no dataset")
	}
	if c.Out == "" {
		add("no output folder")
	}
	if _, err := ParseFormat(string(c.Format)); err != nil {
		errs = append(errs, err)
	}
	if _, err := ParseDataFormat(string(c.DataFormat)); err != nil {
		errs = append(errs, err)
	}
	if c.ChatTemplate != "" && c.ChatTemplate != ChatML && !slices.Contains(bindings.ChatTemplates(), c.ChatTemplate) {
		add("unknown chat template %q (want %s, one of the engine's built-in templates: %s, or none for the base model's own)",
			c.ChatTemplate, ChatML, strings.Join(bindings.ChatTemplates(), ", "))
	}
	if c.Optimizer != "adamw" && c.Optimizer != "sgd" {
		add("unknown optimizer %q (want adamw or sgd)", c.Optimizer)
	}
	if err := c.Schedule.check(); err != nil {
		errs = append(errs, err)
	}
	if c.Full && c.ExportPEFT {
		add("--export peft writes LoRA adapters; a --full run writes model.gguf")
	}
	for _, t := range c.Targets {
		if !slices.Contains(bindings.LoRATargets, t) {
			add("unknown LoRA target %q (known: %v)", t, bindings.LoRATargets)
		}
	}
	switch {
	case c.Rank < 0 || c.Alpha < 0:
		add("rank %d and alpha %g must not be negative", c.Rank, c.Alpha)
	case c.Epochs < 0 || c.MaxSteps < 0:
		add("epochs %d and max steps %d must not be negative", c.Epochs, c.MaxSteps)
	case c.Ctx < 8:
		add("context length %d is too small (at least 8)", c.Ctx)
	case c.MicroBatch < 1 || c.GradAccum < 1:
		add("micro-batch %d and gradient accumulation %d must be at least 1", c.MicroBatch, c.GradAccum)
	case c.EvalEvery < 0 || c.Patience < 0 || c.CheckpointEvery < 0 || c.MinDelta < 0:
		add("eval-every, patience, checkpoint-every and min-delta must not be negative")
	case c.Threads < 1:
		add("threads must be at least 1")
	}
	return errors.Join(errs...)
}
