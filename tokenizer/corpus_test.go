package tokenizer

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// goSources reads .go files of the Go toolchain's own source tree under
// GOROOT/src/<dir>, in sorted path order, until limit bytes.
func goSources(tb testing.TB, dir string, limit int) []string {
	tb.Helper()
	root := filepath.Join(testfixture.GoRoot(tb), "src", dir)
	var texts []string
	total := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || total >= limit {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		texts = append(texts, string(b))
		total += len(b)
		return nil
	})
	if err != nil {
		tb.Fatalf("read Go sources under %s: %v", root, err)
	}
	if total == 0 {
		tb.Fatalf("no Go sources under %s", root)
	}
	return texts
}

func totalBytes(texts []string) int {
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	return n
}
