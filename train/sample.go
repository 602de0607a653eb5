package train

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/codeloom/codeloom/dataset"
)

// Format is how a dataset record becomes a training sample.
type Format string

// Formats.
const (
	// Completion trains on the function's code; every token is scored.
	Completion Format = "completion"
	// Instruct prefixes the code with a prompt made from the language, name
	// and docstring; only the code (and end of text) is scored.
	Instruct Format = "instruct"
	// FIM splits the code into prefix, middle and suffix and asks for the
	// middle with the model's fill-in-the-middle tokens; only the middle is
	// scored.
	FIM Format = "fim"
)

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Completion, Instruct, FIM:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want completion, instruct or fim)", s)
}

// ErrNoFIMTokens is returned for the fim format when the model's vocabulary
// has no fill-in-the-middle tokens.
var ErrNoFIMTokens = errors.New("the model has no fill-in-the-middle tokens; use --format completion or instruct")

// Tokenizer is the part of a model that sample building needs;
// *bindings.Model implements it.
type Tokenizer interface {
	Tokenize(text string, addSpecial bool) ([]int32, error)
	BOS() int32
	EOS() int32
	AddsBOS() bool
	FIM() (pre, suf, mid int32, ok bool)
}

// Sample is one tokenized record. Scored[i] says whether token i is a
// prediction target (predicted from the tokens before it).
type Sample struct {
	Tokens []int32
	Scored []bool
}

func (s *Sample) add(tokens []int32, scored bool) {
	s.Tokens = append(s.Tokens, tokens...)
	for range tokens {
		s.Scored = append(s.Scored, scored)
	}
}

// InstructPrompt is the prompt the instruct format puts before the code.
func InstructPrompt(r *dataset.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Write a %s %s named %s.\n", r.Language, kindOr(r.Kind), r.Name)
	if d := strings.TrimSpace(r.Docstring); d != "" {
		b.WriteString(d)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

func kindOr(kind string) string {
	if kind == "" {
		return "function"
	}
	return kind
}

// SampleBuilder turns records into samples for one format.
type SampleBuilder struct {
	Tok    Tokenizer
	Format Format
	Seed   uint64 // fim split points are a function of Seed and the record id
}

// Build makes the sample of r.
func (b SampleBuilder) Build(r *dataset.Record) (Sample, error) {
	var s Sample
	if b.Tok.AddsBOS() {
		s.add([]int32{b.Tok.BOS()}, false)
	}
	tok := func(text string) ([]int32, error) {
		t, err := b.Tok.Tokenize(text, false)
		if err != nil {
			return nil, fmt.Errorf("tokenize %s: %w", r.ID, err)
		}
		return t, nil
	}
	switch b.Format {
	case Completion:
		code, err := tok(r.Code)
		if err != nil {
			return s, err
		}
		s.add(code, true)
	case Instruct:
		prompt, err := tok(InstructPrompt(r))
		if err != nil {
			return s, err
		}
		code, err := tok(r.Code)
		if err != nil {
			return s, err
		}
		s.add(prompt, false)
		s.add(code, true)
	case FIM:
		pre, suf, mid, ok := b.Tok.FIM()
		if !ok {
			return s, ErrNoFIMTokens
		}
		prefix, middle, suffix := b.fimSplit(r)
		parts := make([][]int32, 3)
		for i, text := range []string{prefix, suffix, middle} {
			t, err := tok(text)
			if err != nil {
				return s, err
			}
			parts[i] = t
		}
		s.add([]int32{pre}, false)
		s.add(parts[0], false)
		s.add([]int32{suf}, false)
		s.add(parts[1], false)
		s.add([]int32{mid}, false)
		s.add(parts[2], true)
	default:
		return s, fmt.Errorf("unknown format %q", b.Format)
	}
	s.add([]int32{b.Tok.EOS()}, true)
	return s, nil
}

// fimSplit cuts the code at two random character positions.
func (b SampleBuilder) fimSplit(r *dataset.Record) (prefix, middle, suffix string) {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(r.ID); i++ { // FNV-1a of the id: the split is stable across runs
		h = (h ^ uint64(r.ID[i])) * 1099511628211
	}
	rng := rand.New(rand.NewPCG(b.Seed, h))
	n := utf8.RuneCountInString(r.Code)
	i, j := rng.IntN(n+1), rng.IntN(n+1)
	if i > j {
		i, j = j, i
	}
	runes := []rune(r.Code)
	return string(runes[:i]), string(runes[i:j]), string(runes[j:])
}
