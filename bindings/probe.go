package bindings

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrLoadCrashed means the engine ended the load-probe process: it aborted
// (a GGML_ASSERT, a fatal error) or was killed while loading the file.
var ErrLoadCrashed = errors.New("the engine crashed while loading the file")

// probeEnv carries a probe request to a re-executed copy of this binary.
// The hook lives in this package's init, so it works in every binary that
// links the engine (codeloom itself and test binaries alike) without a
// command-line subcommand.
const probeEnv = "CODELOOM_LOAD_PROBE"

// probeTimeout bounds one probe; a load that takes longer is treated as
// a failure rather than holding the caller forever.
var probeTimeout = 10 * time.Minute

type probeRequest struct {
	Model   string      `json:"model"`
	Adapter string      `json:"adapter,omitempty"`
	Params  ModelParams `json:"params"`
}

func init() {
	raw, ok := os.LookupEnv(probeEnv)
	if !ok {
		return
	}
	os.Unsetenv(probeEnv)
	var req probeRequest
	err := json.Unmarshal([]byte(raw), &req)
	if err == nil {
		err = runProbe(req)
	}
	if err != nil {
		// The parent reads this line as the reason; a clean refusal is
		// the same error an in-process load gives.
		fmt.Fprintln(os.Stdout, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runProbe does what a server does first with a model: load it, tokenize
// a prompt, make a small context and decode, so the engine's asserts on
// the hyperparameters (load), the vocabulary (tokenize) and the graph
// (first decode) fire here.
func runProbe(req probeRequest) error {
	m, err := LoadModel(req.Model, req.Params)
	if err != nil {
		return err
	}
	defer m.Close()
	if req.Adapter != "" {
		a, err := LoadAdapter(m, req.Adapter)
		if err != nil {
			return err
		}
		defer a.Close()
	}
	c, err := m.NewContext(ContextParams{NCtx: 64, NBatch: 64, Threads: 1})
	if err != nil {
		return err
	}
	defer c.Close()
	toks, err := m.Tokenize("Hello, world\n", true)
	if err != nil {
		return err
	}
	return c.Decode(context.Background(), toks[:min(len(toks), 8)], 0)
}

type probeKey struct {
	model, adapter     string
	modelSize, adSize  int64
	modelTime, adTime  time.Time
	gpuLayers, mainGPU int
}

var probes = struct {
	sync.Mutex
	done map[probeKey]error
}{done: map[probeKey]error{}}

// ProbeLoad proves that the engine can load the model file (and the
// adapter on it, when adapter is not "") by loading it in a child process,
// so an engine abort on a bad file ends the child instead of the caller.
// Results are remembered by path, size and modification time, so a file
// is probed once per version. The Go checks of LoadModel run first, in
// this process: they are fast and need no child.
//
// A long-running process (the server) calls it before its first load of a
// file; one-shot commands need not, since an abort there ends only them.
func ProbeLoad(ctx context.Context, model, adapter string, p ModelParams) error {
	if err := checkGGUF("model", model); err != nil {
		return err
	}
	if adapter != "" {
		if err := checkGGUF("adapter", adapter); err != nil {
			return err
		}
	}
	key, err := newProbeKey(model, adapter, p)
	if err != nil {
		return err
	}
	probes.Lock()
	err, ok := probes.done[key]
	probes.Unlock()
	if ok {
		return err
	}
	err = probeChild(ctx, model, adapter, p)
	if ctx.Err() != nil {
		return err // cancelled: says nothing about the file
	}
	probes.Lock()
	probes.done[key] = err
	probes.Unlock()
	return err
}

func newProbeKey(model, adapter string, p ModelParams) (probeKey, error) {
	k := probeKey{gpuLayers: p.GPULayers, mainGPU: p.MainGPU}
	var err error
	if k.model, k.modelSize, k.modelTime, err = fileVersion(model); err != nil {
		return k, err
	}
	if adapter != "" {
		if k.adapter, k.adSize, k.adTime, err = fileVersion(adapter); err != nil {
			return k, err
		}
	}
	return k, nil
}

func fileVersion(path string) (string, int64, time.Time, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", 0, time.Time{}, fmt.Errorf("load model: %w", err)
	}
	return abs, st.Size(), st.ModTime(), nil
}

func probeChild(ctx context.Context, model, adapter string, p ModelParams) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("probe %s: %w", model, err)
	}
	raw, err := json.Marshal(probeRequest{Model: model, Adapter: adapter, Params: p})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	// GGML_NO_BACKTRACE: an abort would otherwise attach gdb to print a
	// backtrace, slow and of no use to the user.
	cmd.Env = append(os.Environ(), probeEnv+"="+string(raw), "GGML_NO_BACKTRACE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &tailWriter{buf: &stderr, max: 64 << 10}
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("probe %s: %w", model, ctx.Err())
	case errors.As(err, &exit) && exit.ExitCode() == 1 && stdout.Len() > 0:
		return errors.New(strings.TrimSpace(stdout.String()))
	case errors.As(err, &exit):
		what := model
		if adapter != "" {
			what = adapter + " on " + model
		}
		return fmt.Errorf("load %s: %w (%v): %s", what, ErrLoadCrashed, exit, lastLine(stderr.String()))
	}
	return fmt.Errorf("probe %s: %w", model, err)
}

// lastLine picks the engine's reason from its stderr: the last line naming
// an assert or error, else the last non-empty line.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.Contains(l, "GGML_ASSERT") || strings.Contains(l, "error") || strings.Contains(l, "terminate") {
			return l
		}
	}
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return "no message"
}

// tailWriter keeps at most the last max bytes written, so a child that
// floods stderr cannot grow the parent's memory.
type tailWriter struct {
	buf *bytes.Buffer
	max int
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if over := w.buf.Len() - w.max; over > 0 {
		w.buf.Next(over)
	}
	return len(p), nil
}
