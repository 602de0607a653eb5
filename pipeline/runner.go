package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// Step is one stage of a pipeline run.
type Step struct {
	Name string
	// Settings are what the step is asked to do: changing them reruns it.
	Settings any
	// After names earlier steps whose outputs this one reads: when their
	// outputs change, this step reruns.
	After []string
	// Inputs are files and folders from outside the pipeline (sources, a
	// base model file): when they change, this step reruns.
	Inputs []string
	// Outputs are the files and folders the step makes. The step is up to
	// date when its key is unchanged and its outputs are as it left them.
	Outputs []string
	// Run does the work. resume is true when the last attempt of this step,
	// with the same key, was interrupted: a step that keeps checkpoints may
	// continue from them; otherwise it starts afresh.
	Run func(ctx context.Context, resume bool) error
}

// Runner runs steps in order, skipping those that are up to date, and
// records each finished step in its state file at once: a run that was
// killed starts again at the step it was in.
type Runner struct {
	StatePath string
	Log       io.Writer
}

// Run runs the steps. Every earlier step a step names in After must come
// before it.
func (r *Runner) Run(ctx context.Context, steps []Step) error {
	st, err := loadState(r.StatePath)
	if err != nil {
		return err
	}
	// outputs maps a finished step to the fingerprint of its outputs, which
	// is what later steps depend on.
	outputs := map[string]string{}
	for i, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		label := fmt.Sprintf("[%d/%d] %s", i+1, len(steps), s.Name)
		key, err := stepKey(s, outputs)
		if err != nil {
			return fmt.Errorf("step %s: %w", s.Name, err)
		}
		if fp, ok := upToDate(st.Steps[s.Name], key, s.Outputs); ok {
			fmt.Fprintf(r.Log, "%s: up to date, skipped\n", label)
			outputs[s.Name] = fp
			continue
		}
		if outputs[s.Name], err = r.runStep(ctx, st, s, key, label); err != nil {
			return err
		}
	}
	return nil
}

// runStep runs one step, recording in the state that it started and then
// that it finished, and returns the fingerprint of its outputs.
func (r *Runner) runStep(ctx context.Context, st *state, s Step, key, label string) (string, error) {
	prev := st.Steps[s.Name]
	resume := prev.Key == key && !prev.Done
	st.Steps[s.Name] = stepRecord{Key: key}
	if err := st.save(r.StatePath); err != nil {
		return "", fmt.Errorf("record step %s: %w", s.Name, err)
	}
	verb := "running"
	if resume {
		verb = "resuming"
	}
	fmt.Fprintf(r.Log, "%s: %s\n", label, verb)
	start := time.Now()
	if err := s.Run(ctx, resume); err != nil {
		return "", fmt.Errorf("step %s: %w", s.Name, err)
	}
	if err := requireOutputs(s); err != nil {
		return "", err
	}
	fp, err := fingerprint(s.Outputs)
	if err != nil {
		return "", fmt.Errorf("step %s: %w", s.Name, err)
	}
	elapsed := time.Since(start)
	st.Steps[s.Name] = stepRecord{Key: key, Done: true, Outputs: fp, Finished: time.Now().UTC(), Seconds: elapsed.Seconds()}
	if err := st.save(r.StatePath); err != nil {
		return "", fmt.Errorf("record step %s: %w", s.Name, err)
	}
	fmt.Fprintf(r.Log, "%s: done in %s\n", label, elapsed.Round(100*time.Millisecond))
	return fp, nil
}

// stepKey hashes what a step's result depends on: its name and settings,
// the outputs of the steps it comes after, and its outside inputs.
func stepKey(s Step, outputs map[string]string) (string, error) {
	after := map[string]string{}
	for _, name := range s.After {
		fp, ok := outputs[name]
		if !ok {
			return "", fmt.Errorf("comes after %q, which has not run before it", name)
		}
		after[name] = fp
	}
	inputs, err := fingerprint(s.Inputs)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(struct {
		Step     string
		Settings any
		After    map[string]string
		Inputs   string
	}{s.Name, s.Settings, after, inputs})
	if err != nil {
		return "", fmt.Errorf("hash settings: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// upToDate reports whether a step recorded with rec can be skipped, and the
// current fingerprint of its outputs. A step without outputs always runs.
func upToDate(rec stepRecord, key string, outputs []string) (string, bool) {
	if len(outputs) == 0 || !rec.Done || rec.Key != key {
		return "", false
	}
	fp, err := fingerprint(outputs)
	if err != nil || fp != rec.Outputs {
		return "", false
	}
	return fp, true
}

func requireOutputs(s Step) error {
	for _, p := range s.Outputs {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("step %s finished without making %s", s.Name, p)
		}
	}
	return nil
}
