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

// sideTmpSize bounds /var/tmp and /dev/shm inside the sandbox.
const sideTmpSize = 4 << 20

type request struct {
	Limits      Limits   `json:"limits"`
	UID         int      `json:"uid"`
	GID         int      `json:"gid"`
	Dir         string   `json:"dir"`
	DirWritable bool     `json:"dir_writable"`
	Argv        []string `json:"argv"`
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
	if err := mounts(req); err != nil {
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
	if err := os.Chdir("/tmp"); err != nil {
		return err
	}
	return limitAndExec(path, req.Argv, os.Environ(), req.Limits)
}

// prlimitPath is util-linux's prlimit, which applies the address-space
// limit and executes the program (see limitAndExec).
const prlimitPath = "/usr/bin/prlimit"

// limitAndExec sets the limits and executes the program. The address-space
// limit is meant for the program, and it is below what this Go runtime has
// already reserved: set here, any heap growth in the helper (syscall.Exec
// itself allocates) would die with "out of memory". So it is left to
// prlimit, a small C program that sets it on itself and then executes the
// program. Lowering limits needs no privilege.
func limitAndExec(path string, argv, env []string, l Limits) error {
	limits := [...]struct {
		resource int
		value    uint64
	}{
		{unix.RLIMIT_CORE, 0},
		{unix.RLIMIT_CPU, uint64(l.CPU.Seconds())},
		{unix.RLIMIT_NPROC, uint64(l.Procs)},
		{unix.RLIMIT_FSIZE, uint64(l.FileSize)},
		{unix.RLIMIT_NOFILE, uint64(l.Files)},
	}
	for i, s := range limits {
		if s.value == 0 && i > 0 {
			continue // no limit of this kind
		}
		if err := unix.Prlimit(0, s.resource, &unix.Rlimit{Cur: s.value, Max: s.value}, nil); err != nil {
			return fmt.Errorf("set limit %d to %d: %w", s.resource, s.value, err)
		}
	}
	if l.Memory > 0 {
		argv = append([]string{prlimitPath, fmt.Sprintf("--as=%d", l.Memory), "--", path}, argv[1:]...)
		path = prlimitPath
	}
	if err := syscall.Exec(path, argv, env); err != nil {
		return fmt.Errorf("exec %s: %w", path, err)
	}
	return nil
}

// mounts gives the run its own /tmp (with the caller's folder at SrcDir),
// /var/tmp, /dev/shm and /proc. Nothing here reaches the parent's namespace.
func mounts(req request) error {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	// The caller's folder may lie under the /tmp about to be replaced: hold
	// it by a descriptor, which still reaches it once hidden.
	dirFD := -1
	if req.Dir != "" {
		fd, err := syscall.Open(req.Dir, unix.O_PATH|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", req.Dir, err)
		}
		dirFD = fd
	}
	tmpfs := func(dir string, size int64, uid, gid int) error {
		if _, err := os.Stat(dir); err != nil {
			return nil // nothing to hide
		}
		opts := fmt.Sprintf("size=%d,mode=0700,uid=%d,gid=%d", size, uid, gid)
		if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
			return fmt.Errorf("mount tmpfs on %s: %w", dir, err)
		}
		return nil
	}
	if err := tmpfs("/tmp", req.Limits.Scratch, req.UID, req.GID); err != nil {
		return err
	}
	for _, dir := range []string{"/var/tmp", "/dev/shm"} {
		if err := tmpfs(dir, sideTmpSize, req.UID, req.GID); err != nil {
			return err
		}
	}
	if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	if dirFD < 0 {
		return nil
	}
	if err := os.Mkdir(SrcDir, 0o755); err != nil {
		return err
	}
	if err := syscall.Mount(fmt.Sprintf("/proc/self/fd/%d", dirFD), SrcDir, "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("mount %s: %w", req.Dir, err)
	}
	flags := uintptr(syscall.MS_BIND | syscall.MS_REMOUNT | syscall.MS_NOSUID | syscall.MS_NODEV)
	if !req.DirWritable {
		flags |= syscall.MS_RDONLY
	}
	if err := syscall.Mount("", SrcDir, "", flags, ""); err != nil {
		return fmt.Errorf("remount %s: %w", req.Dir, err)
	}
	return syscall.Close(dirFD)
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
