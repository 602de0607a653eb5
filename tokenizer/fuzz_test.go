package tokenizer

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// FuzzEncode checks on arbitrary bytes that the split covers the text and
// that decoding the tokens gives the text back.
func FuzzEncode(f *testing.F) {
	tok, err := Train(context.Background(), slices.Values(goSources(f, "errors", 40_000)), 500, Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "func main() {}\n", "don't  \t\n", "日本\xff\xc3(", EndOfText} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var pieces []string
		Split(s, func(p string) { pieces = append(pieces, p) })
		if strings.Join(pieces, "") != s || slices.Contains(pieces, "") {
			t.Fatalf("pieces %q do not cover %q", pieces, s)
		}
		if got := tok.Decode(tok.Encode(s)); got != s {
			t.Fatalf("Decode(Encode(%q)) = %q", s, got)
		}
	})
}
