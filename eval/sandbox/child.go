package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
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

// sideTmpSize bounds /dev/shm inside the sandbox.
const sideTmpSize = 4 << 20

type request struct {
	Limits      Limits   `json:"limits"`
	UID         int      `json:"uid"`
	GID         int      `json:"gid"`
	Dir         string   `json:"dir"`
	DirWritable bool     `json:"dir_writable"`
	Mounts      []Mount  `json:"mounts"`
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
	// Capabilities and no_new_privs are per thread: the calls below and
	// the exec must happen on this one.
	runtime.LockOSThread()
	if err := mounts(req); err != nil {
		return err
	}
	if err := dropPrivileges(); err != nil {
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

// systemPaths are the host paths every run sees, read-only: what a
// dynamically linked interpreter (python3, the go command) needs to start.
// Those missing on the host are skipped; a top-level one that is a symbolic
// link (/bin -> usr/bin on merged-/usr systems) is recreated as that link.
var systemPaths = []string{
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime",
}

// devices are the host's devices the run sees; not /dev/tty, which reaches
// the caller's terminal.
var devices = []string{"null", "zero", "full", "random", "urandom"}

// newRoot is where the private root is built before it becomes "/": a
// directory that exists everywhere, hidden in this namespace only.
const newRoot = "/tmp"

// rootSize bounds the private root's tmpfs, which holds only mount points
// and links.
const rootSize = 1 << 20

// bind is a host path held by a descriptor, to be mounted at target inside
// the new root.
type bind struct {
	fd       int
	target   string
	dir      bool
	writable bool
	device   bool
}

// mounts replaces the host's root with a private one (see the package
// comment) and returns with "/" being it. Nothing here reaches the parent's
// namespace: every mount is made after the namespace's mounts are private,
// and every folder created lies in a tmpfs of this namespace.
func mounts(req request) error {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	// Sources may lie under newRoot, about to be hidden: hold each by a
	// descriptor, which still reaches it once hidden.
	var binds, late []bind
	var links [][2]string
	for _, p := range systemPaths {
		fi, err := os.Lstat(p)
		if err != nil {
			continue
		}
		if fi.Mode()&os.ModeSymlink != 0 && strings.Count(p, "/") == 1 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			links = append(links, [2]string{target, p})
			continue
		}
		b, err := hold(p, p, false)
		if err != nil {
			return err
		}
		binds = append(binds, b)
	}
	for _, d := range devices {
		b, err := hold("/dev/"+d, "/dev/"+d, true)
		if err != nil {
			continue // a device the host lacks
		}
		b.device = true
		binds = append(binds, b)
	}
	if req.Dir != "" {
		b, err := hold(req.Dir, SrcDir, req.DirWritable)
		if err != nil {
			return err
		}
		late = append(late, b)
	}
	extra := append([]Mount(nil), req.Mounts...)
	sort.Slice(extra, func(i, j int) bool { return extra[i].Path < extra[j].Path }) // parents first
	for _, m := range extra {
		if err := checkMount(m); err != nil {
			return err
		}
		if !m.Writable && underSystem(m.Path) {
			continue // already visible, read-only
		}
		b, err := hold(m.Path, m.Path, m.Writable)
		if err != nil {
			return err
		}
		late = append(late, b)
	}

	if err := syscall.Mount("tmpfs", newRoot, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, fmt.Sprintf("size=%d,mode=0755", rootSize)); err != nil {
		return fmt.Errorf("mount the private root: %w", err)
	}
	for _, l := range links {
		if err := os.Symlink(l[0], newRoot+l[1]); err != nil {
			return err
		}
	}
	for _, b := range binds {
		if err := b.mount(); err != nil {
			return err
		}
	}
	if err := devLinks(); err != nil {
		return err
	}
	if err := tmpfs(newRoot+"/dev/shm", sideTmpSize, req.UID, req.GID); err != nil {
		return err
	}
	if err := tmpfs(newRoot+"/tmp", req.Limits.Scratch, req.UID, req.GID); err != nil {
		return err
	}
	if err := os.Mkdir(newRoot+"/proc", 0o555); err != nil {
		return err
	}
	if err := syscall.Mount("proc", newRoot+"/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	for _, b := range late {
		if err := b.mount(); err != nil {
			return err
		}
	}
	return pivot()
}

// hold opens host path p for a bind mount at target.
func hold(p, target string, writable bool) (bind, error) {
	fd, err := syscall.Open(p, unix.O_PATH|syscall.O_CLOEXEC, 0)
	if err != nil {
		return bind{}, fmt.Errorf("open %s: %w", p, err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return bind{}, fmt.Errorf("stat %s: %w", p, err)
	}
	return bind{fd: fd, target: target, dir: st.Mode&syscall.S_IFMT == syscall.S_IFDIR, writable: writable}, nil
}

// mount binds b at its target under newRoot, creating the mount point, and
// makes it read-only unless writable. Devices keep their source's flags,
// which allow device access; every other bind is nosuid and nodev.
func (b bind) mount() error {
	target := newRoot + b.target
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	var err error
	if b.dir {
		err = os.Mkdir(target, 0o755)
	} else {
		err = os.WriteFile(target, nil, 0o644)
	}
	if err != nil && !os.IsExist(err) {
		return err
	}
	if err := syscall.Mount(fmt.Sprintf("/proc/self/fd/%d", b.fd), target, "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("mount %s: %w", b.target, err)
	}
	defer syscall.Close(b.fd)
	if b.device {
		return nil
	}
	flags := uintptr(syscall.MS_BIND | syscall.MS_REMOUNT | syscall.MS_NOSUID | syscall.MS_NODEV)
	if !b.writable {
		flags |= syscall.MS_RDONLY
	}
	if err := syscall.Mount("", target, "", flags, ""); err != nil {
		return fmt.Errorf("remount %s: %w", b.target, err)
	}
	return nil
}

// checkMount refuses mounts that would undo the private root.
func checkMount(m Mount) error {
	if !filepath.IsAbs(m.Path) || filepath.Clean(m.Path) != m.Path || m.Path == "/" {
		return fmt.Errorf("mount %q: want a clean absolute path other than /", m.Path)
	}
	for _, p := range []string{"/proc", "/dev", "/tmp", SrcDir} {
		if m.Path == p || strings.HasPrefix(m.Path, p+"/") && p != "/tmp" {
			return fmt.Errorf("mount %s: the sandbox owns %s", m.Path, p)
		}
	}
	if m.Writable && underSystem(m.Path) {
		return fmt.Errorf("mount %s: writable inside a read-only system folder", m.Path)
	}
	return nil
}

// underSystem reports whether p lies in one of the system folders every run
// already sees.
func underSystem(p string) bool {
	for _, s := range systemPaths {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}

// devLinks adds the usual links of /dev.
func devLinks() error {
	for _, l := range [][2]string{{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}} {
		if err := os.Symlink(l[0], newRoot+"/dev/"+l[1]); err != nil {
			return err
		}
	}
	return nil
}

// tmpfs mounts a fresh tmpfs of size bytes, owned by the run's user, at dir.
func tmpfs(dir string, size int64, uid, gid int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	opts := fmt.Sprintf("size=%d,mode=0700,uid=%d,gid=%d", size, uid, gid)
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		return fmt.Errorf("mount tmpfs on %s: %w", dir, err)
	}
	return nil
}

// pivot makes newRoot the root, lets go of the host's (pivot_root(".", ".")
// stacks the old root on the new one; detaching it leaves only the new),
// and makes the new root itself read-only.
func pivot() error {
	if err := os.Chdir(newRoot); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach the host's root: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	if err := syscall.Mount("", "/", "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, ""); err != nil {
		return fmt.Errorf("make the private root read-only: %w", err)
	}
	return nil
}

// dropPrivileges makes the program powerless even as uid 0 (the trusted
// build step): the bounding set is emptied, so the exec grants no
// capabilities (without it, root could remount /tmp with devices allowed,
// make a node for the host's disk and open it); no_new_privs bars gaining
// any back through set-uid or file capabilities; and every descriptor but
// stdio, SecretFD and ReportFD closes at the exec, so none the caller
// inherited from its own parent (a pipe of a job runner, an open file)
// reaches the program.
func dropPrivileges() error {
	for c := 0; c <= unix.CAP_LAST_CAP; c++ {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && err != unix.EINVAL {
			return fmt.Errorf("drop capability %d: %w", c, err)
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	if err := unix.CloseRange(ReportFD+1, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("close inherited descriptors: %w", err)
	}
	return nil
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
