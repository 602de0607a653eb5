package tokenizer

import (
	"fmt"
	"strings"

	"github.com/codeloom/codeloom/gguf"
)

// PreTokenizer is the llama.cpp pre-tokenizer name whose split is Split.
const PreTokenizer = "gpt-2"

// Tokenizer is a byte-level BPE tokenizer: a vocabulary of byte-level token
// texts and ranked merges. It is immutable and safe for concurrent use.
type Tokenizer struct {
	tokens  []string // byte-level text (special tokens: their literal text)
	types   []int32  // gguf.Token* per token
	merges  []string // "left right" by rank
	ranks   map[pair]merged
	byteID  [256]int32
	special map[string]int32
}

// merged is what applying a merge gives: its rank and the token it makes.
type merged struct{ rank, id int32 }

// build makes the tokenizer of a training run: byte tokens in byte order,
// one token per merge, then the special tokens.
func build(pairs []pair, special []string) (*Tokenizer, error) {
	texts := make([]string, 0, byteTokens+len(pairs)+len(special))
	types := make([]int32, 0, cap(texts))
	for b := 0; b < byteTokens; b++ {
		texts = append(texts, string(byteRune[b]))
		types = append(types, gguf.TokenNormal)
	}
	merges := make([]string, len(pairs))
	for i, p := range pairs {
		a, b := p.split()
		texts = append(texts, texts[a]+texts[b])
		types = append(types, gguf.TokenNormal)
		merges[i] = texts[a] + " " + texts[b]
	}
	for _, s := range special {
		texts = append(texts, s)
		types = append(types, gguf.TokenControl)
	}
	return newTokenizer(texts, types, merges)
}

// newTokenizer indexes a vocabulary: every byte must have a token and every
// merge must join two tokens into a third.
func newTokenizer(tokens []string, types []int32, merges []string) (*Tokenizer, error) {
	if len(types) != len(tokens) {
		return nil, fmt.Errorf("%d token types for %d tokens", len(types), len(tokens))
	}
	t := &Tokenizer{tokens: tokens, types: types, merges: merges, ranks: make(map[pair]merged, len(merges)), special: map[string]int32{}}
	ids := make(map[string]int32, len(tokens))
	for i, s := range tokens {
		if types[i] == gguf.TokenControl || types[i] == gguf.TokenUserDefined {
			t.special[s] = int32(i)
			continue
		}
		if _, dup := ids[s]; !dup {
			ids[s] = int32(i)
		}
	}
	for b, r := range byteRune {
		id, ok := ids[string(r)]
		if !ok {
			return nil, fmt.Errorf("no token for byte %#02x", b)
		}
		t.byteID[b] = id
	}
	for rank, m := range merges {
		left, right, ok := strings.Cut(m, " ")
		a, okA := ids[left]
		b, okB := ids[right]
		id, okID := ids[left+right]
		if !ok || !okA || !okB || !okID {
			return nil, fmt.Errorf("merge %d %q does not join two tokens into a third", rank, m)
		}
		if _, dup := t.ranks[pairOf(a, b)]; !dup {
			t.ranks[pairOf(a, b)] = merged{int32(rank), id}
		}
	}
	return t, nil
}

// FromSpec makes a Tokenizer from a "gpt2" tokenizer spec, such as one
// copied from a GGUF file with gguf.TokenizerFromFile. Encode follows the
// GPT-2 split whatever the spec's pre-tokenizer, so it matches llama.cpp
// only for specs whose Pre is "gpt-2".
func FromSpec(s *gguf.TokenizerSpec) (*Tokenizer, error) {
	if s.Model != "gpt2" {
		return nil, fmt.Errorf("tokenizer model %q is not byte-level BPE (gpt2)", s.Model)
	}
	types := s.Types
	if types == nil {
		types = make([]int32, len(s.Tokens))
		for i := range types {
			types[i] = gguf.TokenNormal
		}
	}
	return newTokenizer(s.Tokens, types, s.Merges)
}

// Len is the number of tokens.
func (t *Tokenizer) Len() int { return len(t.tokens) }

// Merges returns the merges by rank, each "left right" in byte-level text
// (shared, do not modify).
func (t *Tokenizer) Merges() []string { return t.merges }

// Token returns the byte-level text of token id.
func (t *Tokenizer) Token(id int32) string { return t.tokens[id] }

// Special returns the id of a special token such as EndOfText.
func (t *Tokenizer) Special(text string) (int32, bool) {
	id, ok := t.special[text]
	return id, ok
}

// Spec returns the tokenizer as llama.cpp's "gpt2" model with the GPT-2
// pre-tokenizer, ready for gguf.TinyLlamaConfig.Tokenizer. <|endoftext|>
// begins and ends texts (llama.cpp adds it in front when tokenizing with
// special tokens); the FIM and pad tokens get their ids when present.
// There is no unknown token: every byte has one.
func (t *Tokenizer) Spec() *gguf.TokenizerSpec {
	s := &gguf.TokenizerSpec{
		Model:  "gpt2",
		Pre:    PreTokenizer,
		Tokens: t.tokens,
		Types:  t.types,
		Merges: t.merges,
		IDs:    map[string]uint32{},
		Extra: []gguf.KV{
			{Key: "tokenizer.ggml.add_bos_token", Value: gguf.Of(true)},
			{Key: "tokenizer.ggml.add_eos_token", Value: gguf.Of(false)},
		},
	}
	for text, names := range map[string][]string{
		EndOfText: {"bos", "eos"},
		FIMPrefix: {"fim_pre"},
		FIMSuffix: {"fim_suf"},
		FIMMiddle: {"fim_mid"},
		PadToken:  {"padding"},
	} {
		if id, ok := t.special[text]; ok {
			for _, n := range names {
				s.IDs[n] = uint32(id)
			}
		}
	}
	return s
}
