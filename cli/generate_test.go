package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
)

func TestVersion(t *testing.T) {
	code, out := runCLI("version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	for _, want := range []string{"engine: llama.cpp", "cpu features compiled:", "backend CPU"} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
}

func TestGenerateCommand(t *testing.T) {
	model := testfixture.Path(t, "stories260K.gguf")
	code, out := runCLI("generate", "-m", model, "-p", "Once upon a time", "-n", "20", "--threads", "1")
	if code != 0 || len(strings.TrimSpace(out)) < 10 {
		t.Fatalf("exit %d, output %q", code, out)
	}
	// Greedy decoding (the default) is repeatable.
	_, again := runCLI("generate", "-m", model, "-p", "Once upon a time", "-n", "20", "--threads", "1")
	if again != out {
		t.Errorf("greedy outputs differ:\n%q\n%q", out, again)
	}
	// llama.cpp's spellings: the prompt from a file with -f, the seed as -s.
	promptFile := filepath.Join(t.TempDir(), "prompt.txt")
	os.WriteFile(promptFile, []byte("Once upon a time"), 0o644)
	if code, fromFile := runCLI("generate", "-m", model, "-f", promptFile, "-s", "7", "-n", "20", "--threads", "1"); code != 0 || fromFile != out {
		t.Errorf("-f %s: exit %d, %q; want %q as from -p", promptFile, code, fromFile, out)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no model flag", []string{"generate", "-p", "x"}, 2, "generate: --model is required (see codeloom generate --help)"},
		{"prompt and file", []string{"generate", "-m", model, "-p", "x", "-f", promptFile}, 2, "not both"},
		{"missing model", []string{"generate", "-m", "/nonexistent.gguf", "-p", "x"}, 1, "no such file"},
		{"no prompt", []string{"generate", "-m", model}, 2, "--prompt"},
		{"zero tokens", []string{"generate", "-m", model, "-p", "x", "-n", "0"}, 2, "--max-tokens"},
		{"bad temperature", []string{"generate", "-m", model, "-p", "x", "--temp", "-3"}, 2, "temperature"},
		{"bad context", []string{"generate", "-m", model, "-p", "x", "--ctx", "-1"}, 2, "--ctx"},
		{"bad split", []string{"generate", "-m", model, "-p", "x", "--tensor-split", "a,b"}, 2, "--tensor-split"},
		{"lora-scaled and lora", []string{"generate", "-m", model, "-p", "x", "--lora-scaled", "a.gguf:0.5", "--lora", "b.gguf"}, 2, "not both"},
		{"lora-scaled and scale", []string{"generate", "-m", model, "-p", "x", "--lora-scaled", "a.gguf:0.5", "--scale", "2"}, 2, "not both"},
		{"lora-scaled without scale", []string{"generate", "-m", model, "-p", "x", "--lora-scaled", "a.gguf"}, 2, "want FILE:SCALE or FILE,SCALE"},
		{"lora-scaled bad scale", []string{"generate", "-m", model, "-p", "x", "--lora-scaled", "a.gguf:half"}, 2, `scale "half" is not a number`},
		// The file is what comes before the last ':' or ',', not the whole value.
		{"lora-scaled missing file", []string{"generate", "-m", model, "-p", "x", "--lora-scaled", "/nonexistent/a:b.gguf,0.5"}, 1, "/nonexistent/a:b.gguf: "},
		{"prompt too long", []string{"generate", "-m", model, "--ctx", "256", "-p", strings.Repeat("the dog ran ", 200)}, 1, "does not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := runCLI(tt.args...)
			// A usage error is its one line, not the command's help.
			if code == 2 && strings.Count(out, "\n") > 1 {
				t.Errorf("usage error of %d lines:\n%s", strings.Count(out, "\n")+1, out)
			}
			if code != tt.code || !strings.Contains(out, tt.msg) {
				t.Errorf("exit %d, output %q; want exit %d and %q", code, out, tt.code, tt.msg)
			}
		})
	}
}

func TestGenerateInteractiveFromPipe(t *testing.T) {
	model := testfixture.Path(t, "stories260K.gguf")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin }()
	w.WriteString("Once upon a time\n\nThe little dog\n")
	w.Close()
	code, out := runCLI("generate", "-m", model, "-i", "-n", "10", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	// Two prompts (the empty line is skipped), each answered on its own line.
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) < 2 {
		t.Errorf("want two answers, got %q", out)
	}
}

func TestModelsInfoAndQuantize(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "tiny.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), src, gguf.TinyLlamaConfig{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "tiny-q8.gguf")
	if code, msg := runCLI("models", "quantize", "--type", "q8_0", src, out); code != 0 {
		t.Fatalf("quantize: exit %d: %s", code, msg)
	}
	code, msg := runCLI("models", "info", "--json", out)
	if code != 0 {
		t.Fatalf("info: exit %d: %s", code, msg)
	}
	var info struct {
		Architecture string `json:"architecture"`
		FileType     string `json:"file_type"`
		VocabSize    int    `json:"vocab_size"`
	}
	if err := json.Unmarshal([]byte(msg), &info); err != nil {
		t.Fatalf("info JSON: %v in %q", err, msg)
	}
	if info.Architecture != "llama" || info.FileType != "Q8_0" || info.VocabSize != 259 {
		t.Errorf("info %+v", info)
	}
	if code, msg := runCLI("models", "quantize", "--type", "q3_z", src, out); code != 1 || !strings.Contains(msg, "unknown type") {
		t.Errorf("bad type: exit %d, %q", code, msg)
	}
	if code, msg := runCLI("models", "info", filepath.Join(dir, "none.gguf")); code != 1 || !strings.Contains(msg, "no such file") {
		t.Errorf("missing file: exit %d, %q", code, msg)
	}
}

func TestGenerateLoRAScaled(t *testing.T) {
	base := testfixture.Path(t, "stories260K.gguf")
	run := filepath.Join(t.TempDir(), "run")
	if code, text := runCLI("train", "--base", base, "--data", trainData(t), "--out", run, "--max-steps", "2",
		"--ctx", "64", "--lr", "0.05", "--threads", "1"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, text)
	}
	adapter := filepath.Join(run, "adapter.gguf")
	gen := func(args ...string) string {
		t.Helper()
		code, out := runCLI(append([]string{"generate", "-m", base, "-p", "Once upon a time", "-n", "16", "--threads", "1"}, args...)...)
		if code != 0 {
			t.Fatalf("generate %q: exit %d: %s", args, code, out)
		}
		return out
	}
	want := gen("--lora", adapter, "--scale", "0.5")
	for _, v := range []string{adapter + ":0.5", adapter + ",0.5"} {
		if got := gen("--lora-scaled", v); got != want {
			t.Errorf("--lora-scaled %s: %q, want %q as from --lora with --scale 0.5", v, got, want)
		}
	}
}
