package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceReaderReuse reads files of several sizes through one reader,
// including one that grew after the walk measured it and one that shrank.
func TestSourceReaderReuse(t *testing.T) {
	dir := t.TempDir()
	contents := []string{strings.Repeat("a\n", 2500), "b", "", strings.Repeat("c\n", 3000), "dd"}
	hints := []int64{5000, 1, 0, 10, 100}
	var r sourceReader
	for i, want := range contents {
		p := filepath.Join(dir, "f.go")
		if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		src, reason, errText := r.read(fileEntry{rel: "f.go", abs: p, size: hints[i]})
		if reason != "" || errText != "" {
			t.Fatalf("file %d: skipped as %s (%s)", i, reason, errText)
		}
		if string(src) != want {
			t.Errorf("file %d: read %d bytes, want %d", i, len(src), len(want))
		}
	}
	if _, reason, errText := r.read(fileEntry{rel: "gone.go", abs: filepath.Join(dir, "gone.go")}); reason != SkipReadError || !strings.Contains(errText, "gone.go") {
		t.Errorf("missing file: reason %q, error %q", reason, errText)
	}
}
