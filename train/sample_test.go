package train

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
)

func loadTok(t *testing.T, fim bool) *bindings.Model {
	t.Helper()
	m, err := bindings.LoadModel(tinyBase(t, fim), bindings.ModelParams{NoRepack: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func tokens(t *testing.T, m *bindings.Model, text string) []int32 {
	t.Helper()
	toks, err := m.Tokenize(text, false)
	if err != nil {
		t.Fatal(err)
	}
	return toks
}

// The samples are the documented token layouts, with only the code (or the
// fim middle) and the end of text scored.
func TestSampleBuilder(t *testing.T) {
	m := loadTok(t, true)
	r := &goRecords(1, "r")[0]
	bos, eos := []int32{m.BOS()}, []int32{m.EOS()}
	pre, suf, mid, _ := m.FIM()
	b := SampleBuilder{Tok: m, Seed: 1}
	prefix, middle, suffix := b.fimSplit(r)
	if prefix+middle+suffix != r.Code || middle == "" {
		t.Fatalf("fim split %q|%q|%q", prefix, middle, suffix)
	}
	for _, tc := range []struct {
		format           Format
		unscored, scored []int32
	}{
		{Completion, bos, tokens(t, m, r.Code)},
		{Instruct, append(bos, tokens(t, m, InstructPrompt(r))...), tokens(t, m, r.Code)},
		{FIM, slices.Concat(bos, []int32{pre}, tokens(t, m, prefix), []int32{suf}, tokens(t, m, suffix), []int32{mid}),
			tokens(t, m, middle)},
	} {
		b.Format = tc.format
		s, err := b.Build(r)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Concat(tc.unscored, tc.scored, eos)
		if !slices.Equal(s.Tokens, want) {
			t.Errorf("%s: tokens %v, want %v", tc.format, s.Tokens, want)
			continue
		}
		for i := range s.Scored {
			if s.Scored[i] != (i >= len(tc.unscored)) {
				t.Errorf("%s: token %d scored=%v", tc.format, i, s.Scored[i])
			}
		}
	}
	if !strings.Contains(InstructPrompt(r), "Add0 adds two numbers.") {
		t.Errorf("prompt %q lacks the docstring", InstructPrompt(r))
	}
}

func TestSampleBuilderFIMNeedsTokens(t *testing.T) {
	m := loadTok(t, false)
	_, err := SampleBuilder{Tok: m, Format: FIM}.Build(&dataset.Record{ID: "x", Code: "func f() {}"})
	if !errors.Is(err, ErrNoFIMTokens) {
		t.Fatalf("error %v, want ErrNoFIMTokens", err)
	}
}
