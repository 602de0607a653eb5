package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

func TestModelsMergeCommand(t *testing.T) {
	base := testfixture.Path(t, "stories260K.gguf")
	run := filepath.Join(t.TempDir(), "run")
	if code, text := runCLI("train", "--base", base, "--data", trainData(t), "--out", run, "--max-steps", "2",
		"--ctx", "64", "--threads", "1"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, text)
	}
	dir := t.TempDir()
	adapter := filepath.Join(run, "adapter.gguf")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{base, adapter, filepath.Join(dir, "m.gguf")}, 0, "wrote"},
		{[]string{"--type", "f16", base, adapter, filepath.Join(dir, "m16.gguf")}, 0, "wrote"},
		{[]string{base, filepath.Join(run, "train.json"), filepath.Join(dir, "bad.gguf")}, 1, "GGUF"},
		{[]string{base, adapter}, 2, "want BASE.gguf ADAPTER.gguf OUT.gguf"},
	} {
		args := append([]string{"models", "merge"}, tc.args...)
		code, text := runCLI(args...)
		if code != tc.code || !strings.Contains(text, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d mentioning %q", args, code, text, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "m16.gguf")); err != nil {
		t.Fatal(err)
	}
}
