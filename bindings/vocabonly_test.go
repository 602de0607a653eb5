package bindings

import (
	"slices"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// A vocabulary-only load tokenizes exactly as a full load does, and refuses
// to make a context instead of handing the engine a model without weights.
func TestVocabOnlyTokenizesLikeAFullLoad(t *testing.T) {
	path := testfixture.Path(t, "stories260K.gguf")
	full := stories(t)
	vocab, err := LoadModel(path, ModelParams{VocabOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer vocab.Close()
	const text = "Once upon a time, there was a little girl named Lily."
	want, err := full.Tokenize(text, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := vocab.Tokenize(text, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("vocabulary-only tokens %v, full load %v", got, want)
	}
	if d := vocab.Detokenize(got); d != full.Detokenize(want) {
		t.Fatalf("detokenized %q, want %q", d, full.Detokenize(want))
	}
	if c, err := vocab.NewContext(ContextParams{NCtx: 64, Threads: 1}); err == nil {
		c.Close()
		t.Fatal("a vocabulary-only model made a context")
	}
}
