package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// trainData writes a small dataset of Go functions, every fifth for validation.
func trainData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 20; i++ {
		split := "train"
		if i%5 == 4 {
			split = "validation"
		}
		fmt.Fprintf(&b, `{"id":"%d","language":"go","name":"F%d","code":"func F%d() int { return %d }\n","split":"%s"}`+"\n", i, i, i, i, split)
	}
	if err := os.WriteFile(filepath.Join(dir, "data-00000.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestTrainCommand(t *testing.T) {
	base := testfixture.Path(t, "stories260K.gguf")
	data := trainData(t)
	out := filepath.Join(t.TempDir(), "run")
	code, text := runCLI("train", "--base", base, "--data", data, "--out", out, "--max-steps", "4", "--ctx", "64",
		"--threads", "1", "--targets", "q,v,down", "--lr", "1e-3", "--export", "peft")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, text)
	}
	for _, f := range []string{"adapter.gguf", "train.json", "metrics.jsonl", "adapter_model.safetensors", "adapter_config.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v\n%s", f, err, text)
		}
	}
	if !strings.Contains(text, "completed after 4 steps") {
		t.Errorf("output lacks the result line:\n%s", text)
	}
	code, text = runCLI("train", "--base", base, "--data", data, "--out", out, "--max-steps", "6", "--ctx", "64",
		"--threads", "1", "--targets", "q,v,down", "--lr", "1e-3", "--resume")
	if code != 0 || !strings.Contains(text, "resumed from step-00000004") || !strings.Contains(text, "completed after 6 steps") {
		t.Fatalf("resume: exit %d:\n%s", code, text)
	}
}

func TestTrainCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "--data", "x"}, 2, "train: --base is required"},
		{[]string{"train", "--base", "b", "--data", "d", "--format", "chat"}, 2, "unknown format"},
		{[]string{"train", "--base", "b", "--data", "d", "--export", "onnx"}, 2, "want peft"},
		{[]string{"train", "--base", "b", "--data", "d", "extra"}, 2, "no arguments"},
	} {
		code, text := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(text, tc.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d mentioning %q", tc.args, code, text, tc.code, tc.want)
		}
	}
}
