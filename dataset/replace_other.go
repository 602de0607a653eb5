//go:build !linux

package dataset

// replaceDir puts folder tmp at dir, moving an existing dir aside first.
func replaceDir(tmp, dir string) error { return replaceDirTwoSteps(tmp, dir) }
