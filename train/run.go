package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/internal/digest"
	"github.com/codeloom/codeloom/modelstore"
)

// MetricsFile is the per-step log in a run folder; the store's files
// (adapter, model, train.json, checkpoints) are named in modelstore.
const MetricsFile = "metrics.jsonl"

// Event reports progress to the caller (the CLI draws it as a progress bar).
type Event struct {
	Kind         string // "step", "eval", "checkpoint" or "info"
	Step, Steps  int
	Epoch        int
	Loss, LR     float64
	TokensPerSec float64
	ValLoss      float64
	ValPPL       float64
	Message      string
}

// EvalRecord is one validation result.
type EvalRecord struct {
	Step    int     `json:"step"`
	Epoch   int     `json:"epoch"`
	Loss    float64 `json:"train_loss"` // mean training loss since the previous evaluation
	ValLoss float64 `json:"val_loss"`
	ValPPL  float64 `json:"val_ppl"`
}

// Result is how a run ended.
type Result struct {
	Status     string  `json:"status"` // completed, early_stopped or cancelled
	Steps      int     `json:"steps"`
	TotalSteps int     `json:"total_steps"`
	TrainLoss  float64 `json:"train_loss"` // mean loss of the last step
	BestVal    float64 `json:"best_val_loss,omitempty"`
	BestStep   int     `json:"best_step,omitempty"`
	Output     string  `json:"output"`     // adapter.gguf or model.gguf
	Checkpoint string  `json:"checkpoint"` // latest checkpoint folder
	Restored   string  `json:"restored,omitempty"`
}

// Run trains according to cfg. Cancelling ctx stops after the current step,
// saves a checkpoint and returns the result with ctx's error.
func Run(ctx context.Context, cfg Config, report func(Event)) (*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if report == nil {
		report = func(Event) {}
	}
	if n := runtime.NumCPU(); cfg.Threads > n {
		// ggml's threads spin at every graph node until all arrive: with
		// more threads than CPUs a step can take hundreds of times longer.
		report(Event{Kind: "info", Message: fmt.Sprintf("note: --threads %d is more than the %d CPUs here; the engine's threads "+
			"wait for each other by spinning, so steps can be far slower than with --threads %d or the default", cfg.Threads, n, n)})
	}
	if err := checkOut(cfg); err != nil {
		return nil, err
	}
	if _, err := os.Stat(cfg.Base); err != nil {
		return nil, fmt.Errorf("base model: %w", err)
	}
	// The base's hash is train.json's provenance, not needed to train: it
	// is read while the tokenizer, the data and the trainer load rather
	// than before the first step. Not cancelled with ctx, so that a cancel
	// still ends in a checkpoint and train.json, as it did.
	hashCtx, stopHash := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHash()
	baseHash := hashInBackground(hashCtx, cfg.Base)
	data, err := loadRunData(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Patience > 0 && len(data.Val) == 0 {
		return nil, fmt.Errorf("train: %w", errNoVal)
	}
	report(Event{Kind: "info", Message: fmt.Sprintf("%s data: %d train windows (%d samples, %d truncated, %d dropped, %d scored tokens), %d validation windows",
		data.Format, len(data.Train), data.TrainStats.Samples, data.TrainStats.Truncated, data.TrainStats.Dropped, data.TrainStats.Scored, len(data.Val))})
	tr, err := bindings.NewTrainer(cfg.Base, bindings.TrainerOptions{
		Full: cfg.Full, Rank: cfg.Rank, Alpha: float32(cfg.Alpha), Targets: cfg.Targets,
		Optimizer: map[string]bindings.Optimizer{"adamw": bindings.AdamW, "sgd": bindings.SGD}[cfg.Optimizer],
		Threads:   cfg.Threads, GPU: cfg.GPU, Seed: cfg.Seed, SlowBackward: cfg.SlowBackward,
	})
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	if cfg.Resume {
		// A finished run (that passes the checks above) is reported, not
		// continued: continuing would evaluate again and rewrite its record
		// with nothing trained.
		res, msg, err := finishedRun(cfg, totalSteps(cfg, len(data.Train)))
		if err != nil || res != nil {
			if res != nil {
				report(Event{Kind: "info", Message: msg})
			}
			return res, err
		}
	}
	if err := removeLitter(cfg.Out, report); err != nil {
		return nil, err
	}
	if n := tr.Info().ContextLength; n > 0 && cfg.Ctx > n {
		report(Event{Kind: "info", Message: fmt.Sprintf("note: --ctx %d is longer than the %d tokens the model was trained on", cfg.Ctx, n)})
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", cfg.Out, err)
	}
	r, err := newRunner(cfg, tr, data, report, baseHash)
	if err != nil {
		return nil, err
	}
	defer r.close()
	return r.run(ctx)
}

// checkOut keeps earlier runs intact: a folder that holds a run is only
// continued with Resume, and Resume needs a checkpoint.
func checkOut(cfg Config) error {
	latest, err := latestCheckpoint(cfg.Out)
	if err != nil {
		return fmt.Errorf("read checkpoints of %s: %w", cfg.Out, err)
	}
	_, statErr := os.Stat(filepath.Join(cfg.Out, modelstore.TrainFile))
	switch {
	case cfg.Resume && latest == "":
		return fmt.Errorf("nothing to resume: %s has no checkpoint", cfg.Out)
	case !cfg.Resume && (latest != "" || statErr == nil):
		return fmt.Errorf("%s already holds a training run; pass --resume to continue it or choose another --out", cfg.Out)
	}
	return nil
}

func loadRunData(ctx context.Context, cfg Config) (*Data, error) {
	// The vocabulary only: the trainer loads the weights itself.
	m, err := bindings.LoadModel(cfg.Base, bindings.ModelParams{VocabOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load tokenizer of %s: %w", cfg.Base, err)
	}
	defer m.Close()
	return LoadData(ctx, cfg.Data, SampleBuilder{Tok: m, Format: cfg.Format, Seed: cfg.Seed}, cfg.dataOptions())
}

// hashInBackground starts hashing the file at path and returns the wait
// for its hex SHA-256.
func hashInBackground(ctx context.Context, path string) func() (string, error) {
	type sum struct {
		hex string
		err error
	}
	done := make(chan sum, 1) // buffered: the hash ends even when nobody waits
	go func() {
		h, _, err := digest.Files(ctx, path)
		done <- sum{h, err}
	}()
	return func() (string, error) {
		s := <-done
		return s.hex, s.err
	}
}

// runner holds one run's moving parts.
type runner struct {
	cfg      Config
	tr       *bindings.Trainer
	data     *Data
	report   func(Event)
	st       State
	sched    Schedule
	total    int
	perStep  int   // windows per optimizer step
	order    []int // window order of the current epoch
	events   *EventWriter
	metrics  *os.File
	lossSum  float64 // training loss since the last evaluation
	lossN    int
	restored string
	baseHash string
	unigram  float64 // validation loss of the unigram baseline
}

func newRunner(cfg Config, tr *bindings.Trainer, data *Data, report func(Event), baseHash func() (string, error)) (*runner, error) {
	r := &runner{cfg: cfg, tr: tr, data: data, report: report, perStep: cfg.MicroBatch * cfg.GradAccum}
	r.total = totalSteps(cfg, len(data.Train))
	r.sched = cfg.Schedule
	r.sched.Total = r.total
	r.st = State{Seed: cfg.Seed}
	if cfg.Resume {
		if err := r.resume(); err != nil {
			return nil, err
		}
	}
	r.order = epochOrder(r.st.Seed, r.st.Epoch, len(data.Train))
	if len(data.Val) > 0 {
		r.unigram = UnigramLoss(data.Train, data.Val, tr.Info().Vocab)
		report(Event{Kind: "info", Message: fmt.Sprintf("unigram baseline validation loss %.4f", r.unigram)})
	}
	h, err := baseHash()
	if err != nil {
		return nil, err
	}
	r.baseHash = h
	if r.events, err = NewEventWriter(cfg.Out); err != nil {
		return nil, err
	}
	if cfg.Resume {
		if err := r.events.Restart(r.st.Step + 1); err != nil {
			r.events.Close()
			return nil, err
		}
	}
	r.metrics, err = os.OpenFile(filepath.Join(cfg.Out, MetricsFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		r.events.Close()
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	return r, nil
}

func (r *runner) resume() error {
	dir, err := latestCheckpoint(r.cfg.Out)
	if err != nil {
		return err
	}
	st, n, err := loadCheckpoint(dir, r.tr, r.cfg.Optimizer == "adamw")
	if err != nil {
		return err
	}
	if st.Pos > len(r.data.Train) {
		return fmt.Errorf("resume: the checkpoint is at window %d of an epoch of %d windows: the data changed", st.Pos, len(r.data.Train))
	}
	r.st = st
	// Lines a killed run wrote after its last checkpoint are written again
	// by this one; without them metrics.jsonl has each step once.
	dropped, err := trimMetrics(filepath.Join(r.cfg.Out, MetricsFile), st.Step)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if dropped > 0 {
		r.report(Event{Kind: "info", Message: fmt.Sprintf("%s: dropped %d lines written after the checkpoint at step %d", MetricsFile, dropped, st.Step)})
	}
	moments := ""
	if r.cfg.Optimizer == "adamw" {
		moments = " with AdamW moments"
	}
	r.restored = fmt.Sprintf("resumed from %s: step %d of %d, epoch %d at window %d of %d, %d tensors%s, learning rate %.3g, data order seed %d",
		filepath.Base(dir), st.Step, r.total, st.Epoch+1, st.Pos, len(r.data.Train), n, moments, r.sched.At(st.Step+1), st.Seed)
	if st.HasBest {
		r.restored += fmt.Sprintf(", best validation loss %.4f at step %d", st.BestVal, st.BestStep)
	}
	r.report(Event{Kind: "info", Message: r.restored})
	return nil
}

// totalSteps is how many optimizer steps a run of cfg over nTrain windows
// takes.
func totalSteps(cfg Config, nTrain int) int {
	if cfg.MaxSteps > 0 {
		return cfg.MaxSteps
	}
	perStep := cfg.MicroBatch * cfg.GradAccum
	return cfg.Epochs * ((nTrain + perStep - 1) / perStep)
}

// epochOrder is the shuffled window order of epoch e, a function of the seed
// and the epoch so that a resumed run continues the same order.
func epochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, uint64(epoch))).Perm(n)
}

func (r *runner) close() {
	r.events.Close()
	r.metrics.Close()
}

func (r *runner) run(ctx context.Context) (*Result, error) {
	res := &Result{TotalSteps: r.total, Restored: r.restored, Status: "completed", TrainLoss: r.st.Loss}
	lastEval := -1
	if h := r.st.History; len(h) > 0 && h[len(h)-1].Step == r.st.Step {
		// Resumed from a checkpoint written after its evaluation (the last
		// one of a run killed before train.json): not evaluated twice.
		lastEval = r.st.Step
	}
	if r.st.Step == 0 && len(r.st.History) == 0 && len(r.data.Val) > 0 {
		// The loss before training is the baseline that later evaluations
		// are compared with.
		if _, err := r.evaluate(ctx); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	base := r.st.Seconds
	for r.st.Step < r.total {
		if ctx.Err() != nil {
			res.Status = "cancelled"
			break
		}
		epochEnded, loss, err := r.step()
		if err != nil {
			return nil, err
		}
		r.st.Seconds = base + time.Since(start).Seconds()
		res.TrainLoss = loss
		if (r.cfg.EvalEvery > 0 && r.st.Step%r.cfg.EvalEvery == 0) || (r.cfg.EvalEvery == 0 && epochEnded) {
			lastEval = r.st.Step
			stop, err := r.evaluate(ctx)
			if err != nil {
				return nil, err
			}
			if stop {
				res.Status = "early_stopped"
				break
			}
		}
		if r.cfg.CheckpointEvery > 0 && r.st.Step%r.cfg.CheckpointEvery == 0 && r.st.Step < r.total {
			if _, err := r.checkpoint(ctx); err != nil {
				return nil, err
			}
		}
	}
	if res.Status == "completed" && lastEval != r.st.Step && len(r.data.Val) > 0 {
		if _, err := r.evaluate(ctx); err != nil {
			return nil, err
		}
	}
	return r.finish(ctx, res)
}

// microBatches splits the windows of one optimizer step (indexes into
// windows) into the groups that go through the engine together, up to size
// windows each. A group is one graph with its windows side by side, so they
// need one length: the step's windows are taken shortest first (the order
// within a step does not change its gradient) and each group's shorter
// windows are padded to its longest. Padding tokens form a sample of their
// own after the window's last one and are not scored, so they change
// neither the loss nor what any real token attends to. It also returns the
// real tokens of the step.
func microBatches(windows []bindings.Window, idx []int, size int) ([][]bindings.Window, int) {
	order := slices.Clone(idx)
	slices.SortStableFunc(order, func(a, b int) int { return len(windows[a].Tokens) - len(windows[b].Tokens) })
	var groups [][]bindings.Window
	tokens := 0
	for start := 0; start < len(order); start += size {
		part := order[start:min(start+size, len(order))]
		n := len(windows[part[len(part)-1]].Tokens) // the group's longest
		group := make([]bindings.Window, 0, len(part))
		for _, i := range part {
			tokens += len(windows[i].Tokens)
			group = append(group, padWindow(windows[i], n))
		}
		groups = append(groups, group)
	}
	return groups, tokens
}

// padWindow returns w lengthened to n tokens by an unscored sample of its
// own (token 0, a new segment id).
func padWindow(w bindings.Window, n int) bindings.Window {
	if len(w.Tokens) >= n {
		return w
	}
	pad := n - len(w.Tokens)
	seg := w.Seg[len(w.Seg)-1] + 1
	return bindings.Window{
		Tokens: append(slices.Clone(w.Tokens), make([]int32, pad)...),
		Seg:    append(slices.Clone(w.Seg), slices.Repeat([]int32{seg}, pad)...),
		Labels: append(slices.Clone(w.Labels), slices.Repeat([]int32{-1}, pad)...),
	}
}

// step runs one optimizer step over the next windows of the epoch and says
// whether the epoch ended with it.
func (r *runner) step() (bool, float64, error) {
	t0 := time.Now()
	end := min(r.st.Pos+r.perStep, len(r.order))
	batch := r.order[r.st.Pos:end]
	var loss float64
	groups, tokens := microBatches(r.data.Train, batch, r.cfg.MicroBatch)
	for _, group := range groups {
		l, err := r.tr.AccumulateBatch(group, 1/float32(len(batch)))
		if err != nil {
			return false, 0, err
		}
		if math.IsNaN(float64(l)) || math.IsInf(float64(l), 0) {
			return false, 0, fmt.Errorf("training diverged at step %d (loss %v); lower the learning rate", r.st.Step+1, l)
		}
		loss += float64(l) * float64(len(group)) / float64(len(batch))
	}
	step := r.st.Step + 1
	lr := r.sched.At(step)
	err := r.tr.Update(bindings.OptimizerStep{LR: float32(lr), Beta1: float32(r.cfg.Beta1), Beta2: float32(r.cfg.Beta2),
		Eps: float32(r.cfg.Eps), WeightDecay: float32(r.cfg.WeightDecay), Step: int64(step)})
	if err != nil {
		return false, 0, err
	}
	r.st.Step, r.st.LR, r.st.Pos, r.st.Loss = step, lr, end, loss
	r.st.Tokens += int64(tokens)
	epochEnded := r.st.Pos >= len(r.order)
	if epochEnded {
		r.st.Epoch++
		r.st.Pos = 0
		r.order = epochOrder(r.st.Seed, r.st.Epoch, len(r.data.Train))
	}
	r.lossSum += loss
	r.lossN++
	tps := float64(tokens) / time.Since(t0).Seconds()
	r.log(map[string]any{"step": step, "epoch": r.st.Epoch, "loss": loss, "lr": lr, "tok_s": tps, "time": r.st.Seconds})
	r.scalar("train/loss", loss)
	r.scalar("train/lr", lr)
	r.scalar("train/tokens_per_sec", tps)
	r.report(Event{Kind: "step", Step: step, Steps: r.total, Epoch: r.st.Epoch, Loss: loss, LR: lr, TokensPerSec: tps})
	return epochEnded, loss, nil
}

// output is the adapter (or, with full training, the model) file.
func (r *runner) output() string {
	if r.cfg.Full {
		return filepath.Join(r.cfg.Out, modelstore.ModelFile)
	}
	return filepath.Join(r.cfg.Out, modelstore.AdapterFile)
}

// export writes the current weights as the run's output.
func (r *runner) export(ctx context.Context) error {
	// Writing is not interrupted by the cancel that is stopping the run.
	ctx = context.WithoutCancel(ctx)
	if r.cfg.Full {
		return WriteFullModel(ctx, r.output(), r.cfg.Base, r.tr)
	}
	if err := WriteAdapter(ctx, r.output(), r.tr, float32(r.cfg.Alpha)); err != nil {
		return err
	}
	if r.cfg.ExportPEFT {
		return WritePEFT(ctx, r.cfg.Out, r.tr, r.cfg)
	}
	return nil
}

func (r *runner) checkpoint(ctx context.Context) (string, error) {
	dir, err := saveCheckpoint(context.WithoutCancel(ctx), r.cfg.Out, r.tr, r.st, r.cfg.Optimizer == "adamw")
	if err != nil {
		return "", err
	}
	r.report(Event{Kind: "checkpoint", Step: r.st.Step, Steps: r.total, Message: dir})
	return dir, nil
}

// finish writes the last checkpoint, the output (the final weights when no
// validation chose the best ones) and train.json.
func (r *runner) finish(ctx context.Context, res *Result) (*Result, error) {
	dir, err := r.checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	res.Checkpoint = dir
	if !r.st.HasBest {
		if err := r.export(ctx); err != nil {
			return nil, err
		}
	}
	res.Steps, res.Output = r.st.Step, r.output()
	res.BestVal, res.BestStep = r.st.BestVal, r.st.BestStep
	if err := r.writeSummary(res); err != nil {
		return nil, err
	}
	if res.Status == "cancelled" {
		return res, fmt.Errorf("training cancelled at step %d; checkpoint saved in %s: %w", r.st.Step, dir, ctx.Err())
	}
	return res, nil
}

// errNoVal is reported when early stopping is asked for without validation data.
var errNoVal = errors.New("early stopping needs validation records")
