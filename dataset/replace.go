package dataset

import (
	"errors"
	"io/fs"
	"os"
)

// replaceDirTwoSteps moves dir aside, moves tmp in and removes the old
// folder. A crash between the two renames leaves the old dataset complete
// under dir's name plus ".old".
func replaceDirTwoSteps(tmp, dir string) error {
	old := dir + ".old"
	os.RemoveAll(old)
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}
