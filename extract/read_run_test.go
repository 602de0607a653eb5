package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceReaderLikeOS checks that the reader gives what os.ReadFile
// gives, bytes or error text, whether the walk's size is right, too small
// (the file grew) or too large (it shrank).
func TestSourceReaderLikeOS(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("func f() {}\n", 100)
	writeFiles(t, dir, map[string]string{"a.go": text, "empty.go": ""})
	var r sourceReader
	for _, tc := range []struct {
		name string
		size int64
	}{
		{"a.go", int64(len(text))}, {"a.go", 3}, {"a.go", 1 << 16}, {"empty.go", 0}, {"empty.go", 10},
		{"gone.go", 10}, {".", 10},
	} {
		p := filepath.Join(dir, tc.name)
		want, wantErr := os.ReadFile(p)
		got, err := r.readFile(p, tc.size)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("%s, size %d: error %v, want %v", tc.name, tc.size, err, wantErr)
		}
		if string(got) != string(want) {
			t.Errorf("%s, size %d: read %d bytes, want %d", tc.name, tc.size, len(got), len(want))
		}
	}
}
