package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// requestEnv carries the JSON request from Run to the re-executed helper.
const requestEnv = "CODELOOM_SANDBOX_REQUEST"

// helperFailed is the exit status of a helper that could not set up the run;
// its output then starts with helperPrefix.
const (
	helperFailed = 125
	helperPrefix = "sandbox helper: "
)

type request struct {
	Limits Limits   `json:"limits"`
	UID    int      `json:"uid"`
	GID    int      `json:"gid"`
	Dir    string   `json:"dir"`
	Argv   []string `json:"argv"`
}

// init turns this process into the sandbox helper when Run started it; in
// every other process it does nothing.
func init() {
	raw, ok := os.LookupEnv(requestEnv)
	if !ok {
		return
	}
	if err := enter(raw); err != nil {
		fmt.Fprintf(os.Stderr, "%s%v\n", helperPrefix, err)
		os.Exit(helperFailed)
	}
}

// enter prepares the namespaces' view and replaces this process with the
// program; it returns only on failure.
func enter(raw string) error {
	os.Unsetenv(requestEnv)
	var req request
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		return fmt.Errorf("bad request: %w", err)
	}
	// Keep our mounts out of the parent's namespace.
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if req.Limits.Scratch > 0 {
		opts := fmt.Sprintf("size=%d,mode=0700,uid=%d,gid=%d", req.Limits.Scratch, req.UID, req.GID)
		if err := syscall.Mount("tmpfs", req.Dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
			return fmt.Errorf("mount scratch tmpfs: %w", err)
		}
	}
	if err := setLimits(req.Limits); err != nil {
		return err
	}
	if req.UID != 0 {
		if err := dropTo(req.UID, req.GID); err != nil {
			return err
		}
	}
	// Looked up as the run's user, so PATH entries it cannot reach (a
	// version manager's shims under a private home) are passed over.
	path, err := exec.LookPath(req.Argv[0])
	if err != nil {
		return fmt.Errorf("as uid %d: %w", req.UID, err)
	}
	if err := os.Chdir(req.Dir); err != nil {
		return err
	}
	return syscall.Exec(path, req.Argv, os.Environ())
}

func setLimits(l Limits) error {
	set := []struct {
		name     string
		resource int
		value    uint64
	}{
		{"cpu", syscall.RLIMIT_CPU, uint64(l.CPU.Seconds())},
		{"address space", syscall.RLIMIT_AS, uint64(l.Memory)},
		{"processes", unix.RLIMIT_NPROC, uint64(l.Procs)},
		{"file size", syscall.RLIMIT_FSIZE, uint64(l.FileSize)},
		{"open files", syscall.RLIMIT_NOFILE, uint64(l.Files)},
	}
	for _, s := range set {
		if s.value == 0 {
			continue
		}
		if err := syscall.Setrlimit(s.resource, &syscall.Rlimit{Cur: s.value, Max: s.value}); err != nil {
			return fmt.Errorf("limit %s to %d: %w", s.name, s.value, err)
		}
	}
	return syscall.Setrlimit(unix.RLIMIT_CORE, &syscall.Rlimit{})
}

// dropTo gives up root for good: supplementary groups first, then the group,
// then the user (Go applies these to every thread of the process).
func dropTo(uid, gid int) error {
	if err := syscall.Setgroups(nil); err != nil {
		return fmt.Errorf("drop groups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("set gid %d: %w", gid, err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("set uid %d: %w", uid, err)
	}
	return nil
}
