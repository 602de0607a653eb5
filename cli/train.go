package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/codeloom/codeloom/train"
)

// targetAliases lets --targets use the short projection names.
var targetAliases = map[string]string{
	"q": "attn_q", "k": "attn_k", "v": "attn_v", "o": "attn_output",
	"gate": "ffn_gate", "up": "ffn_up", "down": "ffn_down",
}

func trainCommand() *ucli.Command {
	d := train.Defaults
	return &ucli.Command{
		Name:      "train",
		Usage:     "train a LoRA adapter (or, with --full, every weight) on a dataset",
		ArgsUsage: " ",
		Description: "Trains on the dataset's train split with codeloom's own training graph on the engine, validates on\n" +
			"its validation split, and writes OUT/adapter.gguf (llama.cpp's LoRA format; with --full OUT/model.gguf),\n" +
			"checkpoints, metrics.jsonl, TensorBoard events and train.json. Ctrl-C saves a checkpoint; --resume continues.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "base", Usage: "base model GGUF (llama, qwen2 or qwen3; F32, F16, BF16, Q8_0, Q4_0, Q4_K, ...)", Required: true},
			&ucli.StringFlag{Name: "data", Usage: "dataset folder, or a JSONL or Parquet file (see --data-format)", Required: true},
			&ucli.StringFlag{Name: "data-format", Value: string(d.DataFormat), Usage: "shape of the records: auto (from the first record's fields), codeloom, instruction, chat, completion (prompt/completion) or text"},
			&ucli.StringFlag{Name: "chat-template", Usage: "chat data: chatml renders messages as ChatML, another name one of the engine's built-in templates (llama3, ...)", DefaultText: "the base model's own"},
			&ucli.BoolFlag{Name: "train-on-prompt", Usage: "score prompt, system and user tokens too, not only responses"},
			&ucli.StringFlag{Name: "out", Usage: "run folder", DefaultText: "models/<dataset name>"},
			&ucli.StringFlag{Name: "format", Value: string(d.Format), Usage: "sample format of codeloom's records: completion, instruct (loss on code only) or fim"},
			&ucli.BoolFlag{Name: "full", Usage: "train every tensor (F32/F16/BF16 bases) and write model.gguf"},
			&ucli.IntFlag{Name: "rank", Value: d.Rank, Usage: "LoRA rank"},
			&ucli.Float64Flag{Name: "alpha", Usage: "LoRA alpha; the update is scaled by alpha/rank", DefaultText: "2×rank"},
			&ucli.StringFlag{Name: "targets", Value: "q,k,v,o,gate,up,down", Usage: "LoRA target projections: q,k,v,o,gate,up,down (or GGUF names such as attn_q)"},
			&ucli.StringFlag{Name: "optimizer", Value: d.Optimizer, Usage: "adamw or sgd"},
			&ucli.Float64Flag{Name: "lr", Value: d.Schedule.LR, Usage: "peak learning rate"},
			&ucli.Float64Flag{Name: "min-lr", Usage: "learning rate at the end of the decay"},
			&ucli.StringFlag{Name: "schedule", Value: d.Schedule.Kind, Usage: "decay after warmup: cosine, linear or constant"},
			&ucli.IntFlag{Name: "warmup", Value: d.Schedule.Warmup, Usage: "warmup steps"},
			&ucli.Float64Flag{Name: "weight-decay", Usage: "AdamW/SGD weight decay"},
			&ucli.Float64Flag{Name: "beta1", Value: d.Beta1, Usage: "AdamW beta1"},
			&ucli.Float64Flag{Name: "beta2", Value: d.Beta2, Usage: "AdamW beta2"},
			&ucli.IntFlag{Name: "epochs", Value: d.Epochs, Usage: "passes over the training windows"},
			&ucli.IntFlag{Name: "max-steps", Usage: "optimizer steps to run (overrides --epochs)", DefaultText: "from --epochs"},
			&ucli.IntFlag{Name: "ctx", Value: d.Ctx, Usage: "tokens per training window"},
			&ucli.IntFlag{Name: "micro-batch", Value: d.MicroBatch, Usage: "windows per micro-batch, side by side in one graph (memory grows with it)"},
			&ucli.IntFlag{Name: "grad-accum", Value: d.GradAccum, Usage: "micro-batches per optimizer step"},
			&ucli.IntFlag{Name: "eval-every", Usage: "validate every N steps", DefaultText: "at the end of each epoch"},
			&ucli.IntFlag{Name: "max-eval-windows", Usage: "validation windows to use", DefaultText: "all"},
			&ucli.IntFlag{Name: "patience", Usage: "stop after N validations without improvement", DefaultText: "never"},
			&ucli.Float64Flag{Name: "min-delta", Usage: "smallest validation loss decrease that counts as improvement"},
			&ucli.IntFlag{Name: "checkpoint-every", Usage: "also checkpoint every N steps (always at the end and on Ctrl-C)", DefaultText: "never"},
			&ucli.BoolFlag{Name: "resume", Usage: "continue the run in --out from its latest checkpoint"},
			&ucli.Uint64Flag{Name: "seed", Value: d.Seed, Usage: "seed of the adapter initialisation, data order and fim splits"},
			&ucli.IntFlag{Name: "threads", Aliases: []string{"t"}, Usage: "CPU threads", DefaultText: "the free physical cores", EnvVars: []string{"CODELOOM_THREADS"}},
			gpuLayersFlag("non-zero: train on the first GPU (the whole model); 0 = CPU"),
			&ucli.StringFlag{Name: "export", Usage: "also export the adapter as: peft (adapter_model.safetensors + adapter_config.json)"},
		},
		Action: runTrain,
	}
}

func trainConfig(c *ucli.Context) (train.Config, error) {
	if c.NArg() > 0 {
		return train.Config{}, usageError("train takes no arguments (got %q)", c.Args().Slice())
	}
	format, err := train.ParseFormat(c.String("format"))
	if err != nil {
		return train.Config{}, usageError("--format: %v", err)
	}
	dataFormat, err := train.ParseDataFormat(c.String("data-format"))
	if err != nil {
		return train.Config{}, usageError("--data-format: %v", err)
	}
	var targets []string
	for _, t := range strings.Split(c.String("targets"), ",") {
		t = strings.TrimSpace(t)
		if long, ok := targetAliases[t]; ok {
			t = long
		}
		if t != "" {
			targets = append(targets, t)
		}
	}
	switch c.String("export") {
	case "", "peft":
	default:
		return train.Config{}, usageError("--export %q: want peft", c.String("export"))
	}
	out := c.String("out")
	if out == "" {
		name := filepath.Base(filepath.Clean(c.String("data")))
		if ext := filepath.Ext(name); ext == ".jsonl" || ext == ".parquet" {
			name = strings.TrimSuffix(name, ext) // a data file names the run as a dataset folder does
		}
		out = filepath.Join("models", name)
	}
	if c.Int("threads") < 0 || c.Int("rank") < 1 {
		return train.Config{}, usageError("--threads must not be negative and --rank must be at least 1")
	}
	return train.Config{
		Base: c.String("base"), Data: c.String("data"), Out: out, Format: format,
		DataFormat: dataFormat, ChatTemplate: c.String("chat-template"), TrainOnPrompt: c.Bool("train-on-prompt"),
		Full: c.Bool("full"), Rank: c.Int("rank"), Alpha: c.Float64("alpha"), Targets: targets,
		Optimizer: c.String("optimizer"),
		Schedule: train.Schedule{Kind: c.String("schedule"), LR: c.Float64("lr"), MinLR: c.Float64("min-lr"),
			Warmup: c.Int("warmup")},
		WeightDecay: c.Float64("weight-decay"), Beta1: c.Float64("beta1"), Beta2: c.Float64("beta2"),
		Epochs: c.Int("epochs"), MaxSteps: c.Int("max-steps"), Ctx: c.Int("ctx"),
		MicroBatch: c.Int("micro-batch"), GradAccum: c.Int("grad-accum"),
		EvalEvery: c.Int("eval-every"), MaxEvalWindows: c.Int("max-eval-windows"),
		Patience: c.Int("patience"), MinDelta: c.Float64("min-delta"),
		CheckpointEvery: c.Int("checkpoint-every"), Resume: c.Bool("resume"),
		Seed: c.Uint64("seed"), Threads: c.Int("threads"), GPU: trainOnGPU(c.Int("gpu-layers")),
		ExportPEFT: c.String("export") == "peft",
	}, nil
}

func runTrain(c *ucli.Context) error {
	cfg, err := trainConfig(c)
	if err != nil {
		return err
	}
	p := newTrainProgress(c.App.ErrWriter)
	res, err := train.Run(c.Context, cfg, p.event)
	p.done()
	if err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "%s after %d steps: %s\n", res.Status, res.Steps, res.Output)
	if res.BestStep > 0 || res.BestVal > 0 {
		fmt.Fprintf(w, "best validation loss %.4f (perplexity %.2f) at step %d\n", res.BestVal, math.Exp(res.BestVal), res.BestStep)
	}
	fmt.Fprintf(w, "checkpoint: %s\n", res.Checkpoint)
	return nil
}

// trainProgress draws the run as a progress bar with loss, learning rate,
// tokens/s and ETA; evaluations and notes are printed above it. When the
// output is not a terminal it prints a plain line every twentieth of the run
// instead of redrawing a bar.
type trainProgress struct {
	w     io.Writer
	tty   bool
	bar   *progressbar.ProgressBar
	start time.Time
}

func newTrainProgress(w io.Writer) *trainProgress {
	if w == nil {
		w = os.Stderr
	}
	f, ok := w.(*os.File)
	return &trainProgress{w: w, tty: ok && term.IsTerminal(int(f.Fd())), start: time.Now()}
}

func (p *trainProgress) event(e train.Event) {
	switch e.Kind {
	case "step":
		desc := fmt.Sprintf("epoch %d loss %.4f lr %.2e %.0f tok/s", e.Epoch+1, e.Loss, e.LR, e.TokensPerSec)
		if !p.tty {
			if every := max(1, e.Steps/20); e.Step%every == 0 || e.Step == e.Steps {
				fmt.Fprintf(p.w, "step %d/%d %s (%s)\n", e.Step, e.Steps, desc, time.Since(p.start).Round(time.Second))
			}
			return
		}
		if p.bar == nil {
			p.bar = progressbar.NewOptions(e.Steps, progressbar.OptionSetWriter(p.w), progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(24), progressbar.OptionClearOnFinish())
			p.bar.Set(e.Step - 1)
		}
		p.bar.Describe(desc)
		p.bar.Set(e.Step)
	case "eval":
		p.println(fmt.Sprintf("step %d: validation loss %.4f, perplexity %.2f", e.Step, e.ValLoss, e.ValPPL))
	case "checkpoint":
		p.println(fmt.Sprintf("step %d: checkpoint %s", e.Step, e.Message))
	default:
		p.println(e.Message)
	}
}

func (p *trainProgress) println(s string) {
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintln(p.w, s)
}

func (p *trainProgress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
