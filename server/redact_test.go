package server

import (
	"path/filepath"
	"testing"
)

func TestRedact(t *testing.T) {
	store := t.TempDir()
	s := &Server{opt: Options{ModelsDir: store}}
	cases := []struct{ name, in, want string }{
		{"file in the store", "load model " + filepath.Join(store, "a", "model.gguf") + ": bad magic", "load model a/model.gguf: bad magic"},
		{"the store itself", "open " + store + ": no such file or directory", "open " + filepath.Base(store) + ": no such file or directory"},
		{"file elsewhere", `open "/srv/base/llama.gguf": denied`, `open "llama.gguf": denied`},
		{"no path", "tensor 3 of 2: out of range", "tensor 3 of 2: out of range"},
		{"a URL stays", "see https://example.com/x/y", "see https://example.com/x/y"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.redact(tc.in); got != tc.want {
				t.Fatalf("redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
