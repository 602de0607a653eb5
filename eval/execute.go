package eval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/codeloom/codeloom/eval/sandbox"
)

// ExecOptions say how candidates run. Zero values take the defaults named.
type ExecOptions struct {
	Limits  sandbox.Limits // per candidate; zero: DefaultLimits()
	Workers int            // candidates run at once; 0: 1
	// BaseUID: worker i runs candidates as user and group BaseUID+i, ids no
	// account uses, so the process limit counts that candidate alone.
	// 0: DefaultBaseUID.
	BaseUID int
	// OnDone, when set, is called after each candidate (for progress bars).
	OnDone func(Outcome)
}

// DefaultBaseUID is the first user id candidates run as.
const DefaultBaseUID = 1_990_000

// DefaultLimits bound one candidate: 10 CPU seconds, 15 s wall clock, 1 GiB
// of address space, 32 processes (threads count), 16 MiB per file, 64 MiB of
// scratch space, 256 open files.
func DefaultLimits() sandbox.Limits {
	return sandbox.Limits{
		CPU: 10 * time.Second, Timeout: 15 * time.Second, Memory: 1 << 30, Procs: 32,
		FileSize: 16 << 20, Scratch: 64 << 20, Files: 256,
	}
}

// Outcome statuses.
const (
	StatusPassed      = "passed"
	StatusFailed      = "failed"       // tests failed, or the program crashed or hit a limit
	StatusTimeout     = "timeout"      // killed at the wall-clock limit
	StatusBuildFailed = "build_failed" // a Go candidate that does not compile
)

// Outcome is the result of running one sample against its task's tests.
type Outcome struct {
	TaskID  string  `json:"task_id"`
	Sample  int     `json:"sample"` // index among the task's samples, in file order
	Status  string  `json:"status"`
	Output  string  `json:"output,omitempty"` // end of the output, for failures
	Seconds float64 `json:"seconds"`
}

// Passed reports whether the sample passed its tests.
func (o Outcome) Passed() bool { return o.Status == StatusPassed }

// outputTail is how much of a failing run's output an Outcome keeps.
const outputTail = 512

// Execute runs every sample against its task's tests in the sandbox and
// returns one Outcome per sample, in sample order. Every task must have at
// least one sample and every sample a task, as the reference harness
// requires; otherwise scores would silently cover only part of the set.
func Execute(ctx context.Context, tasks []Task, samples []Sample, opt ExecOptions) ([]Outcome, error) {
	byID, err := matchSamples(tasks, samples)
	if err != nil {
		return nil, err
	}
	if opt.Limits == (sandbox.Limits{}) {
		opt.Limits = DefaultLimits()
	}
	opt.Workers = max(opt.Workers, 1)
	if opt.BaseUID == 0 {
		opt.BaseUID = DefaultBaseUID
	}
	needGo := false
	for _, t := range tasks {
		needGo = needGo || t.Language == LangGo
	}
	tc, err := findToolchain(ctx, needGo)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "codeloom-eval-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	out := make([]Outcome, len(samples))
	jobs := make(chan int)
	errs := make([]error, opt.Workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := range opt.Workers {
		wg.Add(1)
		go func(uid int) {
			defer wg.Done()
			for i := range jobs {
				if errs[w] != nil {
					continue // drain
				}
				s := samples[i]
				o, err := runSample(ctx, tmp, byID[s.TaskID], s.Completion, opt.Limits, uid, tc)
				if err != nil {
					errs[w] = fmt.Errorf("task %s: %w", s.TaskID, err)
					continue
				}
				o.TaskID = s.TaskID
				out[i] = o
				if opt.OnDone != nil {
					mu.Lock()
					opt.OnDone(o)
					mu.Unlock()
				}
			}
		}(opt.BaseUID + w)
	}
feed:
	for i := range samples {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return nil, err
	}
	numberSamples(out)
	return out, nil
}

// numberSamples gives each outcome its index among its task's samples in
// file order (workers finish out of order).
func numberSamples(out []Outcome) {
	next := make(map[string]int)
	for i := range out {
		out[i].Sample = next[out[i].TaskID]
		next[out[i].TaskID]++
	}
}

func matchSamples(tasks []Task, samples []Sample) (map[string]Task, error) {
	byID := make(map[string]Task, len(tasks))
	for _, t := range tasks {
		byID[t.TaskID] = t
	}
	has := make(map[string]bool, len(tasks))
	for _, s := range samples {
		if _, ok := byID[s.TaskID]; !ok {
			return nil, fmt.Errorf("a completion names task %q, which the task file lacks", s.TaskID)
		}
		has[s.TaskID] = true
	}
	for _, t := range tasks {
		if !has[t.TaskID] {
			return nil, fmt.Errorf("task %s has no completion (every task needs at least one)", t.TaskID)
		}
	}
	return byID, nil
}

// runSample builds (Go) and runs one candidate. Errors are for failures of
// the harness, not of the candidate.
func runSample(ctx context.Context, tmp string, t Task, completion string, limits sandbox.Limits, uid int, tc toolchain) (Outcome, error) {
	p, err := prepare(tmp, t, completion, limits, tc)
	if err != nil {
		return Outcome{}, err
	}
	defer os.RemoveAll(p.dir)
	start := time.Now()
	if p.build != nil {
		res, err := sandbox.Run(ctx, sandbox.Spec{Argv: p.build, Env: tc.goBuild, Dir: p.dir, DirWritable: true,
			Mounts: tc.goMounts, Limits: sandbox.Limits{Timeout: 2 * time.Minute, Scratch: 512 << 20}})
		if err != nil {
			return Outcome{}, err
		}
		if !res.OK() {
			return finish(StatusBuildFailed, res, start, ""), nil
		}
		if err := p.seal(); err != nil {
			return Outcome{}, err
		}
		limits.Memory += goRunOverhead
	}
	res, err := sandbox.Run(ctx, sandbox.Spec{Argv: p.run, Env: p.env, Dir: p.dir, UID: uid, GID: uid, Limits: limits, Secret: p.secret})
	if err != nil {
		return Outcome{}, err
	}
	completed := string(res.Report) == p.nonce
	switch {
	case res.OK() && completed:
		return finish(StatusPassed, res, start, ""), nil
	case res.TimedOut:
		return finish(StatusTimeout, res, start, ""), nil
	case res.OK():
		return finish(StatusFailed, res, start, "[exited with status 0 before the checks completed]"), nil
	default:
		return finish(StatusFailed, res, start, ""), nil
	}
}

func finish(status string, res sandbox.Result, start time.Time, note string) Outcome {
	o := Outcome{Status: status, Seconds: time.Since(start).Seconds()}
	if status != StatusPassed {
		tail := res.Output[max(len(res.Output)-outputTail, 0):]
		o.Output = string(tail)
		if res.Signal != "" {
			o.Output += "\n[ended by signal: " + res.Signal + "]"
		}
		if note != "" {
			o.Output += "\n" + note
		}
	}
	return o
}
