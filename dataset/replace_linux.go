package dataset

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// replaceDir puts folder tmp at dir. An existing dir is swapped with tmp in
// one atomic rename (RENAME_EXCHANGE), then removed.
func replaceDir(tmp, dir string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return os.RemoveAll(tmp) // tmp now holds the old dataset
	case errors.Is(err, unix.ENOENT):
		return os.Rename(tmp, dir)
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		return replaceDirTwoSteps(tmp, dir) // file system without exchange
	}
	return err
}
