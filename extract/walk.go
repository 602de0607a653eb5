package extract

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp/syntax"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/go-enry/go-enry/v2/data"
	"github.com/go-enry/go-enry/v2/regex"
	ignore "github.com/sabhiram/go-gitignore"
	"golang.org/x/sys/unix"
)

// Reasons a file is skipped: the keys of Counts.FilesSkippedBy.
const (
	SkipTooLarge     = "too_large"
	SkipBinary       = "binary"
	SkipInvalidUTF8  = "invalid_utf8"
	SkipGenerated    = "generated"
	SkipMinified     = "minified"
	SkipSymlink      = "symlink"
	SkipSymlinkOut   = "symlink_outside_source"
	SkipParseTimeout = "parse_timeout"
	SkipParseError   = "parse_error"
	SkipReadError    = "read_error"
	SkipNotRegular   = "not_regular_file" // a named pipe, device or socket
)

// fileEntry is a source file in a supported language, found by the walk.
type fileEntry struct {
	rel  string // slash-separated, relative to the source root
	abs  string
	root string // the source root, symlinks resolved; "" to open abs as it is
	lang *Language
	size int64
}

// skippedFile is a file the walk or the parse left out, and why.
type skippedFile struct {
	rel, lang, reason, err string
}

// walker lists the files of a folder that extraction reads.
type walker struct {
	root     string // absolute, symlinks resolved
	langs    map[string]bool
	maxBytes int64
	ignores  map[string]*ignore.GitIgnore // by folder, relative to root
	files    []fileEntry
	skipped  []skippedFile
}

// listFiles walks root in lexical order and returns the files to parse,
// honouring .gitignore files at every level. Version control, vendored and
// ignored folders are not entered; oversized files and symlinks are
// reported as skipped. langs restricts the languages (empty: all).
func listFiles(ctx context.Context, root string, langs map[string]bool, maxBytes int64) ([]fileEntry, []skippedFile, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, nil, err
	}
	w := &walker{root: real, langs: langs, maxBytes: maxBytes, ignores: map[string]*ignore.GitIgnore{}}
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == real {
				return err
			}
			w.skip(p, "", SkipReadError, err.Error())
			return nil
		}
		return w.visit(p, d)
	})
	return w.files, w.skipped, err
}

func (w *walker) rel(p string) string {
	r, _ := filepath.Rel(w.root, p)
	return filepath.ToSlash(r)
}

func (w *walker) visit(p string, d fs.DirEntry) error {
	rel := w.rel(p)
	if d.IsDir() {
		if rel == "." {
			w.loadIgnore(p, rel)
			return nil
		}
		if d.Name() == ".git" || w.ignored(rel+"/") || isVendor(rel+"/") {
			return filepath.SkipDir
		}
		w.loadIgnore(p, rel)
		return nil
	}
	lang := LanguageForPath(rel)
	if lang == nil || !w.wanted(lang, rel) || w.ignored(rel) || isVendor(rel) {
		return nil
	}
	if d.Type()&fs.ModeSymlink != 0 {
		w.symlink(p, rel, lang)
		return nil
	}
	if !d.Type().IsRegular() {
		// Reading a pipe waits for a writer and a device may never end:
		// skipped, and counted like the other files left out.
		w.skip(rel, lang.Name, SkipNotRegular, "a "+fileKind(d.Type(), 0))
		return nil
	}
	info, err := d.Info()
	if err != nil {
		w.skip(rel, lang.Name, SkipReadError, err.Error())
		return nil
	}
	if w.maxBytes > 0 && info.Size() > w.maxBytes {
		w.skip(rel, lang.Name, SkipTooLarge, "")
		return nil
	}
	w.files = append(w.files, fileEntry{rel: rel, abs: p, root: w.root, lang: lang, size: info.Size()})
	return nil
}

// vendorRule is one of enry's vendor patterns and a text that every path
// it matches holds.
type vendorRule struct {
	re      regex.EnryRegexp
	literal string
}

// vendorRules are enry's vendor patterns, each with the longest literal
// it needs. enry.IsVendor runs one regexp of all the patterns over every
// path, which costs more than the rest of the walk; a literal rules out
// nearly every pattern for a path before its regexp runs.
var vendorRules = func() []vendorRule {
	var rules []vendorRule
	for _, re := range data.VendorMatchers {
		if re == nil {
			continue // a pattern enry's engine cannot run, and enry skips
		}
		rules = append(rules, vendorRule{re: re, literal: neededLiteral(re.String())})
	}
	return rules
}()

// isVendor is enry.IsVendor: whether a path is vendored or third-party.
func isVendor(rel string) bool {
	for i := range vendorRules {
		if r := &vendorRules[i]; strings.Contains(rel, r.literal) && r.re.MatchString(rel) {
			return true
		}
	}
	return false
}

// neededLiteral is the longest text that every match of the pattern
// holds, "" when it cannot tell.
func neededLiteral(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	return literalOf(re)
}

func literalOf(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return string(re.Rune)
		}
	case syntax.OpCapture, syntax.OpPlus:
		return literalOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min > 0 {
			return literalOf(re.Sub[0])
		}
	case syntax.OpConcat:
		longest := ""
		for _, sub := range re.Sub {
			if l := literalOf(sub); len(l) > len(longest) {
				longest = l
			}
		}
		return longest
	}
	return ""
}

// wanted tells whether a file's language is extracted; a C header may turn
// out to be C++ (see DetectLanguage), so it is read when either is wanted.
func (w *walker) wanted(lang *Language, rel string) bool {
	if len(w.langs) == 0 || w.langs[lang.Name] {
		return true
	}
	return lang.Name == "c" && w.langs["cpp"] && strings.EqualFold(path.Ext(rel), ".h")
}

// symlink never follows links: a link inside the source points at a file
// the walk reads anyway, and one that leads outside is reported.
func (w *walker) symlink(p, rel string, lang *Language) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		w.skip(rel, lang.Name, SkipSymlink, err.Error())
		return
	}
	if r, err := filepath.Rel(w.root, target); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		w.skip(rel, lang.Name, SkipSymlinkOut, "symlink leads outside the source to "+target)
		return
	}
	w.skip(rel, lang.Name, SkipSymlink, "")
}

func (w *walker) skip(rel, lang, reason, err string) {
	w.skipped = append(w.skipped, skippedFile{rel: rel, lang: lang, reason: reason, err: err})
}

func (w *walker) loadIgnore(dir, rel string) {
	gi, err := ignore.CompileIgnoreFile(filepath.Join(dir, ".gitignore"))
	if err == nil {
		w.ignores[rel] = gi
	} else if !errors.Is(err, fs.ErrNotExist) {
		w.skip(rel+"/.gitignore", "", SkipReadError, err.Error())
	}
}

// ignored checks rel against the .gitignore of each folder above it, each
// with the path relative to that folder.
func (w *walker) ignored(rel string) bool {
	dir := path.Dir(strings.TrimSuffix(rel, "/"))
	for {
		if gi := w.ignores[dir]; gi != nil {
			sub := rel
			if dir != "." {
				sub = strings.TrimPrefix(rel, dir+"/")
			}
			if gi.MatchesPath(sub) {
				return true
			}
		}
		if dir == "." {
			return false
		}
		dir = path.Dir(dir)
	}
}

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
