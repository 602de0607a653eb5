package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	ignore "github.com/sabhiram/go-gitignore"
)

// fingerprint summarizes files and folders by relative names, sizes and
// modification times: cheap on large trees (the Go toolchain's sources, a
// dataset of many shards), and changed by any edit. Inside a folder, hidden
// entries (.git) and what the folder's own .gitignore excludes are left
// out, so a repository used as a source is not changed by the models and
// datasets written inside it. A path that does not exist counts as
// "missing"; a source that is not a local path (a URL) counts as itself.
func fingerprint(paths []string) (string, error) {
	h := sha256.New()
	for _, p := range paths {
		fmt.Fprintf(h, "%s\x00", p)
		st, err := os.Stat(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			fmt.Fprint(h, "missing\x00")
		case err != nil:
			return "", fmt.Errorf("fingerprint %s: %w", p, err)
		case st.IsDir():
			if err := walkTree(p, func(rel string, info fs.FileInfo) {
				fmt.Fprintf(h, "%s %d %d\x00", rel, info.Size(), info.ModTime().UnixNano())
			}); err != nil {
				return "", fmt.Errorf("fingerprint %s: %w", p, err)
			}
		default:
			fmt.Fprintf(h, "%d %d\x00", st.Size(), st.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// walkTree calls fn for each regular file under root, in lexical order.
func walkTree(root string, fn func(rel string, info fs.FileInfo)) error {
	ign, _ := ignore.CompileIgnoreFile(filepath.Join(root, ".gitignore")) // nil when there is none
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == root {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(d.Name(), ".") || (ign != nil && ign.MatchesPath(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fn(rel, info)
		return nil
	})
}
