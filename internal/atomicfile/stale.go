package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Temporary files and folders that codeloom writes are named
// prefix + "pid<N>-" + random, where N is the id of the writing process. A
// process killed with SIGKILL cannot remove them; the next run that writes
// to the same place calls RemoveStale, which removes those whose process is
// gone. A pid rather than an age or a lock file: a writer that is still
// alive (a second codeloom writing the same dataset, however slowly) keeps
// its folder, and a dead one's is removed at once, with no file left over
// to remove in turn. The cost is pid reuse, which can only make a stale
// entry survive until the pid dies again, never remove a live one.

// LegacyAge is how old a temporary entry named by an earlier codeloom,
// without a pid, must be before RemoveStale removes it: far longer than
// any run takes to write into one.
const LegacyAge = 24 * time.Hour

// TempPattern is the pattern for os.CreateTemp and os.MkdirTemp that names a
// temporary entry of this process after prefix.
func TempPattern(prefix string) string {
	return prefix + "pid" + strconv.Itoa(os.Getpid()) + "-*"
}

// RemoveStale removes the entries of dir named prefix + "pid<N>-..." whose
// process N no longer runs, and those named prefix + anything else (an
// earlier codeloom's names, without a pid) that have not changed for
// legacyAge (0: never). It returns the names removed; a dir that does not
// exist holds nothing stale.
func RemoveStale(dir, prefix string, legacyAge time.Duration) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("remove stale temporary files: %w", err)
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !isStale(e, name[len(prefix):], legacyAge) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return removed, fmt.Errorf("remove stale temporary files: %w", err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// isStale tells whether the entry whose name ends in rest after the prefix
// was left by a process that is gone.
func isStale(e fs.DirEntry, rest string, legacyAge time.Duration) bool {
	if pid, ok := writerPid(rest); ok {
		return pid != os.Getpid() && !processAlive(pid)
	}
	if legacyAge <= 0 {
		return false
	}
	info, err := e.Info()
	return err == nil && time.Since(info.ModTime()) > legacyAge
}

// writerPid reads the pid from "pid<N>-...".
func writerPid(rest string) (int, bool) {
	after, ok := strings.CutPrefix(rest, "pid")
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(after, "-")
	if !ok || digits == "" || !isDigits(digits) {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}

func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}
