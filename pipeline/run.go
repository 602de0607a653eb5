package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/modelstore"
)

// Run carries out the pipeline cfg describes: the steps that are not up to
// date, then a summary of what was made with the generated sample, then
// (when serve.enabled) the server until ctx is cancelled.
func Run(ctx context.Context, cfg *Config, opt Options) error {
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	for _, n := range cfg.Notes {
		fmt.Fprintln(opt.Log, n)
	}
	return run(ctx, cfg, phaseCalls(opt), opt.Log)
}

// run is Run with the phases given: the real ones, or a test's fakes.
func run(ctx context.Context, cfg *Config, ph phases, log io.Writer) error {
	steps, err := plan(cfg, ph)
	if err != nil {
		return err
	}
	r := &Runner{StatePath: filepath.Join(cfg.pipelineDir(), StateFile), Log: log}
	if err := r.Run(ctx, steps); err != nil {
		return err
	}
	if err := summarize(log, cfg); err != nil {
		return err
	}
	if !cfg.Serve.Enabled {
		return nil
	}
	fmt.Fprintf(log, "serving %s on http://%s (Ctrl-C stops)\n", cfg.Models, cfg.Serve.Addr)
	if err := ph.serve(ctx, cfg.Models, cfg.Serve.Addr, cfg.Threads); err != nil && ctx.Err() == nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// summarize lists the artifacts and prints the sample.
func summarize(w io.Writer, cfg *Config) error {
	dir, own := cfg.ModelDir(), cfg.pipelineDir()
	fmt.Fprintf(w, "\ndataset   %s\nreport    %s\nadapter   %s\nscorecard %s\n",
		cfg.DatasetDir(), filepath.Join(own, ReportFile), filepath.Join(dir, modelstore.AdapterFile), filepath.Join(dir, modelstore.EvalFile))
	sample, err := os.ReadFile(filepath.Join(own, SampleFile))
	if err != nil {
		return fmt.Errorf("read sample: %w", err)
	}
	fmt.Fprintf(w, "\n%s", sample)
	return nil
}
