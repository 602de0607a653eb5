package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestModelInitCommand(t *testing.T) {
	data := trainData(t)
	out := filepath.Join(t.TempDir(), "scratch", "model.gguf")
	code, text := runCLI("model", "init", "--data", data, "--out", out, "--vocab", "300", "--layers", "1",
		"--dim", "32", "--heads", "2", "--ctx", "64")
	if code != 0 || !strings.Contains(text, "wrote "+out) {
		t.Fatalf("exit %d: %s", code, text)
	}
	code, text = runCLI("train", "--base", out, "--data", data, "--out", filepath.Join(t.TempDir(), "run"), "--full",
		"--max-steps", "2", "--ctx", "64", "--threads", "1")
	if code != 0 || !strings.Contains(text, "model.gguf") {
		t.Fatalf("train --full: exit %d: %s", code, text)
	}
	if code, text = runCLI("model", "init", "--data", data, "--out", out, "--dim", "30", "--heads", "4"); code == 0 {
		t.Fatalf("width not divisible by heads accepted: %s", text)
	}
}
