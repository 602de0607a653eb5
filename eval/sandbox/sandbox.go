// Package sandbox runs untrusted programs (model-written code and its tests)
// so that they cannot reach the network, take the machine down, or touch the
// host's files.
//
// Each run gets new PID, network, mount, IPC and UTS namespaces (the network
// namespace has only a loopback device, and it is down), its own process
// group, resource limits (CPU seconds, address space, processes, file size,
// open files), an unprivileged user id, and a wall-clock timeout.
//
// The run sees a private root, not the host's: a small read-only tmpfs that
// holds, read-only, only what an interpreter needs to start (/usr, /bin,
// /sbin, /lib*, the dynamic loader's files in /etc), the harmless devices
// (/dev/null, zero, full, random, urandom), a fresh /proc that shows only the
// run's processes, and a fresh size-bounded tmpfs at /tmp that is also its
// working and home folder (and a small one at /dev/shm). There is no /run,
// /home, /root, /var, /sys or /work, and nothing the run writes outlives it.
// The caller's folder is visible at SrcDir, read-only unless asked otherwise,
// and Spec.Mounts adds other host paths (a toolchain, a build cache).
// Ending the run kills the namespace's init process, and with it every
// process the program started, including those that left the process group.
//
// The program gets a secret on file descriptor SecretFD and may write a
// report on ReportFD, which comes back in Result.Report: a harness that
// hands the program a nonce and counts a run as complete only when the nonce
// comes back learns that the program reached its end, which an exit status
// of 0 (os._exit(0) before the checks) does not prove.
//
// The limits are set in the child before it executes the program: Run starts
// the current executable again (/proc/self/exe) in the new namespaces, and
// this package's init function, seeing the request in its environment, makes
// the mounts, sets the limits, drops to the user and executes the program.
// Any binary that imports this package therefore serves as its own helper;
// nothing else runs in that child.
//
// Namespaces need root (CAP_SYS_ADMIN); without them Run fails with
// ErrUnavailable rather than running unconfined. There is no degraded mode:
// a helper that cannot build the private root fails the run with an error.
package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// ErrUnavailable means the namespaces the sandbox needs cannot be created.
var ErrUnavailable = errors.New("sandbox unavailable: creating network and PID namespaces needs root (CAP_SYS_ADMIN)")

// Limits bound one run. A zero field means no limit of that kind, except
// Timeout and Scratch, which take defaults.
type Limits struct {
	CPU      time.Duration `json:"cpu"`       // CPU time, whole seconds (RLIMIT_CPU)
	Memory   int64         `json:"memory"`    // address space in bytes (RLIMIT_AS)
	Procs    int           `json:"procs"`     // processes of the run's user (RLIMIT_NPROC)
	FileSize int64         `json:"file_size"` // largest file it may write (RLIMIT_FSIZE)
	Files    int           `json:"files"`     // open file descriptors (RLIMIT_NOFILE)
	Scratch  int64         `json:"scratch"`   // size of the /tmp tmpfs in bytes; 0: DefaultScratch
	Timeout  time.Duration `json:"-"`         // wall clock; the whole run is killed after it; 0: DefaultTimeout
}

// Defaults for zero Limits fields.
const (
	DefaultTimeout = 30 * time.Second
	DefaultScratch = 64 << 20
)

// SrcDir is where Spec.Dir appears inside the sandbox.
const SrcDir = "/tmp/src"

// The program's extra file descriptors: SecretFD reads Spec.Secret, then end
// of file; what it writes to ReportFD comes back in Result.Report.
const (
	SecretFD = 3
	ReportFD = 4
)

// MaxReport is the most of a report Run keeps.
const MaxReport = 4096

// Mount shows a host path inside the sandbox at the same path.
type Mount struct {
	Path     string // absolute; a folder or a file
	Writable bool
}

// Spec is one program to run.
type Spec struct {
	Argv []string // program and arguments; the program is looked up in Env's PATH
	Env  []string // the whole environment; HOME and TMPDIR are set to /tmp
	// Dir, when set, is a folder of the caller's shown at SrcDir, read-only
	// unless DirWritable.
	Dir         string
	DirWritable bool
	// UID and GID the program runs as. Zero keeps root, which only trusted
	// steps should use (compiling, never running, a candidate).
	UID, GID int
	// Mounts are further host paths the program sees, read-only unless
	// Writable. A path inside the read-only system folders (/usr...) is
	// already visible and is skipped.
	Mounts []Mount
	// Secret is what the program reads from SecretFD.
	Secret []byte
	Limits Limits
	// MaxOutput caps the bytes of combined stdout and stderr kept (default 64 KiB).
	MaxOutput int
}

// Result is how a run ended.
type Result struct {
	ExitCode int           // -1 when killed by a signal
	Signal   string        // the signal that ended it, "" when it exited
	TimedOut bool          // killed at Limits.Timeout (or by ctx)
	Output   []byte        // combined stdout and stderr, truncated to MaxOutput
	Report   []byte        // what the program wrote to ReportFD, up to MaxReport bytes
	Duration time.Duration // wall clock
}

// OK reports whether the program exited with status 0 in time.
func (r Result) OK() bool { return r.ExitCode == 0 && !r.TimedOut }

// Run runs spec to the end and reports how it ended. A program that fails,
// is killed by a limit or times out is a Result, not an error; errors are
// for runs that could not be set up.
func Run(ctx context.Context, spec Spec) (Result, error) {
	if len(spec.Argv) == 0 {
		return Result{}, errors.New("sandbox: empty command")
	}
	req := request{Limits: spec.Limits, UID: spec.UID, GID: spec.GID, Argv: spec.Argv, DirWritable: spec.DirWritable, Mounts: spec.Mounts}
	if req.Limits.Scratch <= 0 {
		req.Limits.Scratch = DefaultScratch
	}
	if spec.Dir != "" {
		abs, err := filepath.Abs(spec.Dir)
		if err != nil {
			return Result{}, fmt.Errorf("sandbox: %w", err)
		}
		req.Dir = abs
	}
	reqJSON, err := json.Marshal(req)
	if err != nil {
		return Result{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return Result{}, fmt.Errorf("sandbox: find own executable: %w", err)
	}
	timeout := spec.Limits.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	out := &capped{max: spec.MaxOutput}
	if out.max <= 0 {
		out.max = 64 << 10
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Args = []string{"codeloom-sandbox"}
	cmd.Env = append(append([]string{requestEnv + "=" + string(reqJSON)}, spec.Env...), "HOME=/tmp", "TMPDIR=/tmp")
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNET | syscall.CLONE_NEWNS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS,
		Setpgid:    true,
		Pdeathsig:  syscall.SIGKILL,
	}
	// The child is init of its PID namespace: killing it kills everything
	// the program started, wherever it moved its process group.
	secretR, reportW, report, err := channels(spec.Secret)
	if err != nil {
		return Result{}, fmt.Errorf("sandbox: %w", err)
	}
	cmd.ExtraFiles = []*os.File{secretR, reportW} // SecretFD, ReportFD
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second

	start := time.Now()
	err = cmd.Start()
	// The child holds its own copies; the report's reader sees end of file
	// once every process of the run is gone.
	secretR.Close()
	reportW.Close()
	if err != nil {
		report.stop()
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) {
			return Result{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return Result{}, fmt.Errorf("sandbox: start %s: %w", spec.Argv[0], err)
	}
	waitErr := cmd.Wait()
	res := Result{Output: out.buf.Bytes(), Report: report.stop(), Duration: time.Since(start), TimedOut: ctx.Err() != nil}
	st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok {
		return res, fmt.Errorf("sandbox: wait: %w", waitErr)
	}
	switch {
	case st.Signaled():
		res.ExitCode, res.Signal = -1, st.Signal().String()
	default:
		res.ExitCode = st.ExitStatus()
	}
	if res.ExitCode == helperFailed && bytes.HasPrefix(res.Output, []byte(helperPrefix)) {
		return res, fmt.Errorf("sandbox: %s", bytes.TrimSpace(res.Output))
	}
	return res, nil
}

// capped keeps the first max bytes written and discards the rest, so a
// program that prints forever costs no memory.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// channels makes the pipes behind SecretFD (already holding secret, and
// closed for writing: it is far below a pipe's capacity) and ReportFD, whose
// reading starts at once.
func channels(secret []byte) (secretR, reportW *os.File, report *reportReader, err error) {
	if len(secret) > 4096 {
		return nil, nil, nil, errors.New("secret longer than 4096 bytes")
	}
	secretR, secretW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	_, err = secretW.Write(secret)
	secretW.Close()
	if err != nil {
		secretR.Close()
		return nil, nil, nil, err
	}
	reportR, reportW, err := os.Pipe()
	if err != nil {
		secretR.Close()
		return nil, nil, nil, err
	}
	report = &reportReader{r: reportR, done: make(chan struct{})}
	go report.read()
	return secretR, reportW, report, nil
}

// reportReader keeps the first MaxReport bytes written to ReportFD.
type reportReader struct {
	r    *os.File
	buf  []byte
	done chan struct{}
}

func (rr *reportReader) read() {
	defer close(rr.done)
	rr.buf, _ = io.ReadAll(io.LimitReader(rr.r, MaxReport))
	io.Copy(io.Discard, rr.r)
}

// stop returns the report. The run's processes are dead by now, or dying
// with their namespace's init; the deadline covers a straggler that still
// holds the pipe open.
func (rr *reportReader) stop() []byte {
	rr.r.SetReadDeadline(time.Now().Add(time.Second))
	<-rr.done
	rr.r.Close()
	return rr.buf
}
