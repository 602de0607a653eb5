package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeAnalyzeDataset writes n go functions of one source as a dataset without
// manifest (analyze reads the shards alone).
func writeAnalyzeDataset(t *testing.T, dir string, n int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"repo":"github.com/o/r","commit":"abc","path":"f%d.go","license":"MIT","language":"go","code":"func f() {\n}\n","tokens":4,"complexity":1,"split":"train"}`+"\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "data-00000.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAnalyzeCommand(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeAnalyzeDataset(t, a, 3)
	writeAnalyzeDataset(t, b, 5)
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		files    map[string][]string // written file → what it must contain
	}{
		{"one dataset", []string{"--json", out + "/one.json", "--html", out + "/one.html", a}, 0,
			[]string{"3 functions, 3 files, 1 sources", "LANGUAGE", "github.com/o/r"},
			map[string][]string{"one.json": {`"schema": 1`, `"functions": 3`}, "one.html": {"<svg", "Functions by language"}}},
		{"two datasets", []string{"-j", out + "/two.json", "--html", out + "/two.html", "--top", "0", a, b}, 0,
			[]string{"METRIC", "total.functions", "+2 (+66.7%)"},
			map[string][]string{"two.json": {`"a": {`, `"b": {`, `"metric": "total.functions"`}, "two.html": {"What changed from A to B"}}},
		{"no dataset", nil, 2, []string{"analyze takes one dataset folder, or two to compare"}, nil},
		{"three datasets", []string{a, b, a}, 2, []string{"analyze takes one dataset folder"}, nil},
		{"negative top", []string{"--top", "-1", a}, 2, []string{"--top must be 0 (all) or more"}, nil},
		{"missing dataset", []string{filepath.Join(dir, "none")}, 1, []string{"no such file"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, output := runCLI(append([]string{"analyze"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tt.wantCode, output)
			}
			for _, want := range tt.want {
				if !strings.Contains(output, want) {
					t.Errorf("output lacks %q:\n%s", want, output)
				}
			}
			for name, wants := range tt.files {
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(name, ".json") && !json.Valid(b) {
					t.Errorf("%s is not valid JSON", name)
				}
				for _, want := range wants {
					if !strings.Contains(string(b), want) {
						t.Errorf("%s lacks %q", name, want)
					}
				}
			}
		})
	}
}
