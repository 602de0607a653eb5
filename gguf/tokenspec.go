package gguf

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Token types of tokenizer.ggml.token_type, as llama.cpp reads them.
const (
	TokenNormal      int32 = 1
	TokenUnknown     int32 = 2
	TokenControl     int32 = 3
	TokenUserDefined int32 = 4
	TokenUnused      int32 = 5
	TokenByte        int32 = 6
)

// Tokenizer metadata keys.
const (
	KeyTokenizerModel  = "tokenizer.ggml.model"
	KeyTokenizerPre    = "tokenizer.ggml.pre"
	KeyTokenizerTokens = "tokenizer.ggml.tokens"
	KeyTokenizerTypes  = "tokenizer.ggml.token_type"
	KeyTokenizerScores = "tokenizer.ggml.scores"
	KeyTokenizerMerges = "tokenizer.ggml.merges"
	tokenizerPrefix    = "tokenizer."
	tokenIDPrefix      = "tokenizer.ggml."
	tokenIDSuffix      = "_token_id"
)

// TokenizerSpec is the tokenizer of a model written by this package: the
// tokenizer.* metadata llama.cpp reads, with typed fields for the parts
// that must agree with each other.
type TokenizerSpec struct {
	Model  string    // "llama" (SentencePiece) or "gpt2" (byte-level BPE)
	Pre    string    // pre-tokenizer name for "gpt2", such as "gpt-2"
	Tokens []string  // the vocabulary; a token's id is its index
	Types  []int32   // one Token* per token; nil means all TokenNormal
	Scores []float32 // optional, one per token
	Merges []string  // "left right" pairs by rank, for "gpt2"
	// IDs are special token ids by key name without the prefix and suffix:
	// "bos" is written as tokenizer.ggml.bos_token_id. llama.cpp's names:
	// bos, eos, eot, unknown, seperator (sic), padding, mask, fim_pre,
	// fim_suf, fim_mid, fim_pad, fim_rep, fim_sep.
	IDs map[string]uint32
	// Extra holds any other tokenizer.* keys, written as they are
	// (add_bos_token, chat_template, ...).
	Extra []KV
}

// SPMByteTokenizer is a SentencePiece vocabulary of <unk>, <s>, </s>, the
// 256 byte tokens <0x00>..<0xFF>, then the given pieces (scored so earlier
// pieces win). Every text tokenizes through byte fallback.
func SPMByteTokenizer(pieces ...string) *TokenizerSpec {
	s := &TokenizerSpec{
		Model:  "llama",
		Tokens: []string{"<unk>", "<s>", "</s>"},
		Types:  []int32{TokenUnknown, TokenControl, TokenControl},
		Scores: []float32{0, 0, 0},
		IDs:    map[string]uint32{"unknown": 0, "bos": 1, "eos": 2},
	}
	for b := 0; b < 256; b++ {
		s.Tokens = append(s.Tokens, fmt.Sprintf("<0x%02X>", b))
		s.Types = append(s.Types, TokenByte)
		s.Scores = append(s.Scores, 0)
	}
	for i, p := range pieces {
		s.Tokens = append(s.Tokens, p)
		s.Types = append(s.Types, TokenNormal)
		s.Scores = append(s.Scores, -float32(i+1))
	}
	return s
}

// TokenizerFromFile copies the tokenizer of a GGUF file (a model or a
// vocab-only file), so a new model can speak the same tokens.
func TokenizerFromFile(f *File) (*TokenizerSpec, error) {
	s := &TokenizerSpec{IDs: map[string]uint32{}}
	var err error
	if s.Model, err = f.String(KeyTokenizerModel); err != nil {
		return nil, fmt.Errorf("copy tokenizer: %w", err)
	}
	if s.Tokens, err = f.Strings(KeyTokenizerTokens); err != nil {
		return nil, fmt.Errorf("copy tokenizer: %w", err)
	}
	for _, kv := range f.KV {
		if !strings.HasPrefix(kv.Key, tokenizerPrefix) {
			continue
		}
		if err := s.take(kv); err != nil {
			return nil, fmt.Errorf("copy tokenizer: %q: %w", kv.Key, err)
		}
	}
	return s, nil
}

// take stores one tokenizer.* entry in its field.
func (s *TokenizerSpec) take(kv KV) error {
	var ok bool
	switch kv.Key {
	case KeyTokenizerModel, KeyTokenizerTokens:
		return nil // read by the caller
	case KeyTokenizerPre:
		s.Pre, ok = kv.Value.x.(string)
	case KeyTokenizerTypes:
		s.Types, ok = kv.Value.x.([]int32)
	case KeyTokenizerScores:
		s.Scores, ok = kv.Value.x.([]float32)
	case KeyTokenizerMerges:
		s.Merges, ok = kv.Value.x.([]string)
	default:
		name, isID := idName(kv.Key)
		if !isID {
			s.Extra = append(s.Extra, kv)
			return nil
		}
		// Some converters write ids as signed or 64-bit; llama.cpp wants
		// uint32, which is what KV writes back.
		id, err := kv.Value.Int()
		if err != nil || id < 0 || id > 1<<32-1 {
			return fmt.Errorf("token id %v: want a uint32", kv.Value)
		}
		s.IDs[name], ok = uint32(id), true
	}
	if !ok {
		return fmt.Errorf("unexpected type %s: %w", describe(kv.Value), ErrWrongType)
	}
	return nil
}

// idName returns "bos" for tokenizer.ggml.bos_token_id.
func idName(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, tokenIDPrefix)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, tokenIDSuffix)
}

// check reports inconsistencies llama.cpp would reject or misread.
func (s *TokenizerSpec) check() error {
	switch {
	case s.Model == "":
		return fmt.Errorf("tokenizer model not set")
	case len(s.Tokens) == 0:
		return fmt.Errorf("tokenizer has no tokens")
	case s.Types != nil && len(s.Types) != len(s.Tokens):
		return fmt.Errorf("%d token types for %d tokens", len(s.Types), len(s.Tokens))
	case s.Scores != nil && len(s.Scores) != len(s.Tokens):
		return fmt.Errorf("%d scores for %d tokens", len(s.Scores), len(s.Tokens))
	case s.Model == "gpt2" && len(s.Merges) == 0:
		return fmt.Errorf("gpt2 tokenizer without merges")
	}
	for name, id := range s.IDs {
		if int(id) >= len(s.Tokens) {
			return fmt.Errorf("%s token id %d is outside the %d tokens", name, id, len(s.Tokens))
		}
	}
	return nil
}

// KV returns the metadata entries of the tokenizer, in a stable order.
func (s *TokenizerSpec) KV() ([]KV, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	types := s.Types
	if types == nil {
		types = make([]int32, len(s.Tokens))
		for i := range types {
			types[i] = TokenNormal
		}
	}
	kv := []KV{{KeyTokenizerModel, Of(s.Model)}}
	if s.Pre != "" {
		kv = append(kv, KV{KeyTokenizerPre, Of(s.Pre)})
	}
	kv = append(kv, KV{KeyTokenizerTokens, ArrayOf(s.Tokens)}, KV{KeyTokenizerTypes, ArrayOf(types)})
	if s.Scores != nil {
		kv = append(kv, KV{KeyTokenizerScores, ArrayOf(s.Scores)})
	}
	if s.Merges != nil {
		kv = append(kv, KV{KeyTokenizerMerges, ArrayOf(s.Merges)})
	}
	for _, name := range slices.Sorted(maps.Keys(s.IDs)) {
		kv = append(kv, KV{tokenIDPrefix + name + tokenIDSuffix, Of(s.IDs[name])})
	}
	return append(kv, s.Extra...), nil
}

// padTo returns the spec grown to n tokens with unused "[PADi]" tokens, the
// way converters fill a vocabulary up to the embedding's row count.
func (s *TokenizerSpec) padTo(n int) (*TokenizerSpec, error) {
	if n < len(s.Tokens) {
		return nil, fmt.Errorf("vocabulary of %d is smaller than the tokenizer's %d tokens", n, len(s.Tokens))
	}
	if n == len(s.Tokens) {
		return s, nil
	}
	p := *s
	p.Tokens = slices.Clip(s.Tokens)
	p.Types = slices.Clip(s.Types)
	if p.Types == nil {
		p.Types = slices.Repeat([]int32{TokenNormal}, len(s.Tokens))
	}
	p.Scores = slices.Clip(s.Scores)
	for i := len(s.Tokens); i < n; i++ {
		p.Tokens = append(p.Tokens, fmt.Sprintf("[PAD%d]", i))
		p.Types = append(p.Types, TokenUnused)
		if p.Scores != nil {
			p.Scores = append(p.Scores, 0)
		}
	}
	return &p, nil
}
