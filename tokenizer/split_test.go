package tokenizer

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func split(s string) []string {
	var out []string
	Split(s, func(p string) { out = append(out, p) })
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Hello world", []string{"Hello", " world"}},
		{"don't we'll I'M", []string{"don", "'t", " we", "'ll", " I", "'", "M"}},
		{"x := 10;\n", []string{"x", " :=", " 10", ";", "\n"}},
		{"a  b", []string{"a", " ", " b"}},
		{"a\n\n\tb", []string{"a", "\n\n", "\t", "b"}}, // only a space joins the next word
		{"end   ", []string{"end", "   "}},
		{"f(x)\n\treturn", []string{"f", "(", "x", ")", "\n", "\t", "return"}},
		{"naïve 日本語 ٣٤", []string{"naïve", " 日本語", " ٣٤"}},
		{"e\u0301", []string{"e", "\u0301"}}, // a combining mark is not a letter,
		{"a\xffb", []string{"a", "\xff", "b"}},
		{" \xff\xfe!", []string{" \xff\xfe!"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := split(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Split(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The pieces of any byte string concatenate back to it, and none is empty.
func TestSplitCovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "7", " ", "  ", "\n", "\t", "'", "'s", "'ll", "é", "日", "\xff", "\xc3", "{", "//", "\u2003"}
	for i := 0; i < 2000; i++ {
		var b strings.Builder
		for j := rng.IntN(30); j > 0; j-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := b.String()
		pieces := split(in)
		for _, p := range pieces {
			if p == "" {
				t.Fatalf("empty piece in %q", in)
			}
		}
		if got := strings.Join(pieces, ""); got != in {
			t.Fatalf("pieces of %q join to %q", in, got)
		}
	}
}
