package extract

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// sourceReader reads files into one buffer that it reuses, so that a run
// does not allocate, and collect, its whole input once more. The bytes of a
// file are good until the next read: what extraction keeps of them is
// strings, which are copies.
type sourceReader struct {
	buf      []byte
	maxBytes int64 // larger files are not read; 0 means DefaultMaxFileBytes
	root     string
	rootFd   int // root, open, when rootOpen
	rootOpen bool
}

// Errors of readFile for the files it refuses to read.
var (
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = errors.New("larger than the size limit")
)

// read reads a file and says why it must be skipped, if it must.
func (r *sourceReader) read(e fileEntry) (src []byte, reason, errText string) {
	b, err := r.readFileIn(e.root, e.rel, e.abs, e.size)
	switch {
	case err == nil:
		return b, contentSkipReason(e.rel, b), ""
	case errors.Is(err, syscall.ELOOP), errors.Is(err, syscall.EXDEV):
		return nil, SkipSymlink, "a symlink on its path since the walk"
	case errors.Is(err, errNotRegular):
		return nil, SkipNotRegular, err.Error()
	case errors.Is(err, errTooLarge):
		return nil, SkipTooLarge, ""
	}
	return nil, SkipReadError, err.Error()
}

// readFile is os.ReadFile into r.buf, for regular files within the size
// limit; size, from the walk, is a hint. The file may have changed since
// the walk looked at it: it is opened without following a symlink in its
// place (ELOOP), it must be a regular file by the open descriptor, and
// no more than the limit and one byte are read, whatever its size says.
// It calls the system itself: an os.File also costs, per file, a poller
// registration (which fails for regular files) and a cleanup, a third of
// the reading time over thousands of small files. Errors read as os's.
func (r *sourceReader) readFile(name string, size int64) ([]byte, error) {
	return r.readFileIn("", "", name, size)
}

// openFlags open a file to read. O_NONBLOCK: opening a named pipe put in
// the file's place would wait for a writer.
const openFlags = syscall.O_RDONLY | syscall.O_CLOEXEC | syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// readFileIn is readFile of the file rel under the folder root, without
// following a symlink on any part of the path (ELOOP), where the system
// can (openat2, Linux 5.6): a folder on the way swapped for a symlink
// during the run cannot lead outside either. With root "", or without
// openat2, name is opened with only its last part checked.
func (r *sourceReader) readFileIn(root, rel, name string, size int64) ([]byte, error) {
	fd, err := r.open(root, rel, name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	if err := checkRegular(fd); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	limit := r.maxBytes
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	if want := int(min(max(size, 0), limit)) + 1; cap(r.buf) < want { // +1: room to see EOF
		r.buf = make([]byte, 0, want)
	}
	b := r.buf[:0]
	for {
		if int64(len(b)) > limit {
			r.buf = b
			return nil, &fs.PathError{Op: "read", Path: name, Err: errTooLarge}
		}
		if len(b) == cap(b) { // the file grew since the walk
			grown := make([]byte, len(b), min(2*int64(cap(b))+512, limit+1))
			copy(grown, b)
			b = grown
		}
		n, err := syscall.Read(fd, b[len(b):min(int64(cap(b)), limit+1)])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		case n == 0:
			r.buf = b
			return b, nil
		}
		b = b[:len(b)+n]
	}
}

// noOpenat2 is set when the system has no openat2 (or forbids it).
var noOpenat2 atomic.Bool

// open opens rel under root by openat2 when it can, name otherwise.
func (r *sourceReader) open(root, rel, name string) (int, error) {
	if root != "" && !noOpenat2.Load() {
		dir, err := r.rootDir(root)
		if err != nil {
			return -1, err
		}
		how := unix.OpenHow{Flags: openFlags, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS}
		for {
			fd, err := unix.Openat2(dir, filepath.FromSlash(rel), &how)
			switch err {
			case nil:
				return fd, nil
			case unix.EINTR, unix.EAGAIN: // EAGAIN: a rename raced the lookup
				continue
			case unix.ENOSYS, unix.EPERM:
				noOpenat2.Store(true) // an old kernel, or a sandbox without it
			default:
				return -1, err
			}
			break
		}
	}
	for {
		fd, err := syscall.Open(name, openFlags, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// rootDir is root, open as a folder: kept from file to file, since a
// worker reads the files of one source after another.
func (r *sourceReader) rootDir(root string) (int, error) {
	if r.rootOpen && r.root == root {
		return r.rootFd, nil
	}
	r.close()
	for {
		fd, err := syscall.Open(root, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_DIRECTORY, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, err
		}
		r.root, r.rootFd, r.rootOpen = root, fd, true
		return fd, nil
	}
}

// close closes the source root the reader holds open, if any.
func (r *sourceReader) close() {
	if r.rootOpen {
		syscall.Close(r.rootFd)
		r.rootOpen = false
	}
}

// checkRegular tells by the open descriptor whether it is a regular file:
// a folder reads as os.ReadFile's "is a directory", anything else (pipe,
// device, socket) as errNotRegular with its kind.
func checkRegular(fd int) error {
	var st syscall.Stat_t
	for {
		err := syscall.Fstat(fd, &st)
		if err == nil {
			break
		}
		if err != syscall.EINTR {
			return err
		}
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return nil
	case syscall.S_IFDIR:
		return syscall.EISDIR
	}
	return fmt.Errorf("%w: %s", errNotRegular, fileKind(fs.FileMode(0), st.Mode))
}

// fileKind names what a file that is not regular is, by its mode from Go
// (mode) or from the system (sysMode) when mode is 0.
func fileKind(mode fs.FileMode, sysMode uint32) string {
	if mode == 0 {
		switch sysMode & syscall.S_IFMT {
		case syscall.S_IFIFO:
			mode = fs.ModeNamedPipe
		case syscall.S_IFCHR:
			mode = fs.ModeDevice | fs.ModeCharDevice
		case syscall.S_IFBLK:
			mode = fs.ModeDevice
		case syscall.S_IFSOCK:
			mode = fs.ModeSocket
		}
	}
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe"
	case mode&fs.ModeCharDevice != 0:
		return "character device"
	case mode&fs.ModeDevice != 0:
		return "block device"
	case mode&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}
