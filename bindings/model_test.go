package bindings

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
)

func TestLoadModelInfo(t *testing.T) {
	m := stories(t)
	info := m.Info()
	if info.Architecture != "llama" || info.VocabSize != 512 || info.Layers != 5 || info.EmbeddingLength != 64 {
		t.Fatalf("info = %+v, want llama, 512 tokens, 5 layers, 64 wide", info)
	}
	if info.Heads != 8 || info.HeadsKV != 4 {
		t.Errorf("heads %d/%d, want 8/4", info.Heads, info.HeadsKV)
	}
	if info.Params < 200_000 || info.Params > 300_000 {
		t.Errorf("params = %d, want about 260K", info.Params)
	}
	if !strings.HasPrefix(info.FileType, "F32") {
		t.Errorf("file type = %q, want F32", info.FileType)
	}
}

func TestLoadModelBadInput(t *testing.T) {
	dir := t.TempDir()
	notGGUF := filepath.Join(dir, "x.gguf")
	os.WriteFile(notGGUF, []byte("hello, not a model"), 0o644)
	truncated := filepath.Join(dir, "t.gguf")
	b, err := os.ReadFile(testfixture.Path(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(truncated, b[:len(b)/3], 0o644)
	tests := []struct {
		name, path string
		is         error
		msg        string
	}{
		{"missing", filepath.Join(dir, "nope.gguf"), os.ErrNotExist, ""},
		{"directory", dir, nil, "is a directory"},
		{"not gguf", notGGUF, gguf.ErrNotGGUF, ""},
		{"truncated", truncated, gguf.ErrMalformed, "runs past the end of the file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := LoadModel(tt.path, ModelParams{})
			if err == nil {
				m.Close()
				t.Fatal("loaded a bad model")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func TestTokenizeRoundTrip(t *testing.T) {
	m := stories(t)
	for _, text := range []string{"Once upon a time, there was a little girl.", "", " spaces  and\nnewlines\t", "héllo wörld ✓"} {
		toks, err := m.Tokenize(text, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Detokenize(toks); got != text {
			t.Errorf("round trip of %q gave %q (%v)", text, got, toks)
		}
	}
	withBOS, _ := m.Tokenize("Hi", true)
	if len(withBOS) == 0 || withBOS[0] != m.BOS() {
		t.Errorf("tokens with special %v do not start with BOS %d", withBOS, m.BOS())
	}
}
