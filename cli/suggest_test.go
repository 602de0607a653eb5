package cli

import (
	"strings"
	"testing"
)

// A mistyped command or flag is one line naming the mistake, the closest
// name and the help to read, with exit code 2; not the whole help.
func TestMistypedCommandsAndFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"command", []string{"generat"}, `unknown command "generat", did you mean generate? (see codeloom --help)`},
		{"subcommand", []string{"models", "lst"}, `models: unknown command "lst", did you mean list? (see codeloom models --help)`},
		{"flag", []string{"generate", "-m", "x", "--tempp", "0"}, `generate: flag provided but not defined: -tempp, did you mean --temp? (see codeloom generate --help)`},
		{"flag far from any", []string{"serve", "--zzzzzzzz"}, `serve: flag provided but not defined: -zzzzzzzz (see codeloom serve --help)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runCLI(tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			out = strings.TrimSpace(out)
			if out != tc.want {
				t.Errorf("output:\n%s\nwant one line:\n%s", out, tc.want)
			}
		})
	}
}

func TestDidYouMean(t *testing.T) {
	names := []string{"temperature", "temp", "top-k", "top-p", "threads", "t"}
	for word, want := range map[string]string{
		"tempp":      ", did you mean --temp?",
		"temprature": ", did you mean --temperature?",
		"top_k":      ", did you mean --top-k?",
		"xyzzy":      "",
		"thread":     ", did you mean --threads?",
	} {
		if got := didYouMean(word, names, "--"); got != want {
			t.Errorf("%q: %q, want %q", word, got, want)
		}
	}
}
