package source

import (
	"context"
	"path/filepath"
)

// Folder is a local folder, read in place.
type Folder struct {
	Dir string // absolute
}

// Name is the folder's own name.
func (f Folder) Name() string { return filepath.Base(f.Dir) }

// Open has nothing to fetch: the files are the folder's.
func (f Folder) Open(context.Context) (Tree, error) { return Tree{Dir: f.Dir}, nil }
