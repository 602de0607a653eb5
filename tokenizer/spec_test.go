package tokenizer

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/internal/testfixture"
)

// A trained tokenizer survives the trip through a model file: the keys
// llama.cpp needs are there with their types, and the tokenizer read back
// encodes the same.
func TestSpecInModel(t *testing.T) {
	tok, err := Train(context.Background(), slices.Values(goSources(t, "sort", 200_000)), 800, Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := gguf.WriteTinyLlama(context.Background(), path, gguf.TinyLlamaConfig{Tokenizer: tok.Spec()}); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for key, want := range map[string]string{gguf.KeyTokenizerModel: "gpt2", gguf.KeyTokenizerPre: PreTokenizer} {
		if got, err := f.String(key); err != nil || got != want {
			t.Errorf("%s = %q, %v", key, got, err)
		}
	}
	eot, _ := tok.Special(EndOfText)
	for name, want := range map[string]string{"bos": EndOfText, "eos": EndOfText, "fim_pre": FIMPrefix, "fim_suf": FIMSuffix, "fim_mid": FIMMiddle, "padding": PadToken} {
		id, err := f.Uint32("tokenizer.ggml." + name + "_token_id")
		if want, _ := tok.Special(want); err != nil || int32(id) != want {
			t.Errorf("%s id %d, %v; want %d", name, id, err, want)
		}
	}
	types, _ := f.Int32s(gguf.KeyTokenizerTypes)
	if types[eot] != gguf.TokenControl || types['a'] != gguf.TokenNormal {
		t.Errorf("token types: eot %d, 'a' %d", types[eot], types['a'])
	}
	spec, err := gguf.TokenizerFromFile(f)
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	text := "func (s *sorter) Less(i, j int) bool { return s.x[i] < s.x[j] }\n"
	if a, b := tok.Encode(text), back.Encode(text); !reflect.DeepEqual(a, b) {
		t.Errorf("encodings differ:\n%v\n%v", a, b)
	}
}

// Encode agrees with GPT-2's own tokenizer on its vocabulary.
func TestEncodeGPT2Vocab(t *testing.T) {
	path := testfixture.Path(t, "ggml-vocab-gpt-2.gguf")
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	spec, err := gguf.TokenizerFromFile(f)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := FromSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	// Ids from GPT-2's published vocabulary.
	tests := []struct {
		in   string
		want []int32
	}{
		{"Hello world", []int32{15496, 995}},
		{" Hello", []int32{18435}},
		{"hello", []int32{31373}},
		{"<|endoftext|>", []int32{27, 91, 437, 1659, 5239, 91, 29}},
	}
	for _, tt := range tests {
		if got := tok.Encode(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Encode(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if id, ok := tok.Special(EndOfText); !ok || id != 50256 {
		t.Errorf("<|endoftext|> is %d, %v", id, ok)
	}
}

func TestFromSpecRejects(t *testing.T) {
	tests := []struct {
		name string
		spec *gguf.TokenizerSpec
	}{
		{"sentencepiece", gguf.SPMByteTokenizer()},
		{"missing bytes", &gguf.TokenizerSpec{Model: "gpt2", Tokens: []string{"a"}, Merges: []string{"a a"}}},
	}
	for _, tt := range tests {
		if _, err := FromSpec(tt.spec); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
