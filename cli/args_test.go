package cli

import (
	"slices"
	"testing"
)

func TestFlagsFirst(t *testing.T) {
	app := newApp()
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"flags after arguments", []string{"codeloom", "extract", "a", "b", "--out", "d", "--jobs=2"},
			[]string{"codeloom", "extract", "--out", "d", "--jobs=2", "a", "b"}},
		{"subcommand", []string{"codeloom", "models", "quantize", "in", "out", "--type", "q8_0"},
			[]string{"codeloom", "models", "quantize", "--type", "q8_0", "in", "out"}},
		{"bool flag takes no value", []string{"codeloom", "models", "info", "m.gguf", "--json"},
			[]string{"codeloom", "models", "info", "--json", "m.gguf"}},
		{"short alias with value", []string{"codeloom", "generate", "-p", "hi", "-m", "x.gguf"},
			[]string{"codeloom", "generate", "-p", "hi", "-m", "x.gguf"}},
		{"double dash keeps the rest", []string{"codeloom", "extract", "a", "--", "--out"},
			[]string{"codeloom", "extract", "a", "--", "--out"}},
		{"stdin dash is an argument", []string{"codeloom", "generate", "-m", "x", "-p", "-"},
			[]string{"codeloom", "generate", "-m", "x", "-p", "-"}},
		{"unknown command untouched", []string{"codeloom", "nope", "x", "--y"}, []string{"codeloom", "nope", "x", "--y"}},
		{"command group untouched", []string{"codeloom", "models"}, []string{"codeloom", "models"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := flagsFirst(app, tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("flagsFirst(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
