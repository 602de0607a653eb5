package tokenizer

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// naiveMerges is the textbook trainer: recount every pair before each merge.
// Same tie rule as Train (most frequent, then smallest ids).
func naiveMerges(texts []string, n int, minFreq int64) []string {
	counts := map[string]int64{}
	for _, t := range texts {
		Split(t, func(p string) { counts[p]++ })
	}
	type w struct {
		syms []int32
		f    int64
	}
	var words []w
	for k, c := range counts {
		s := make([]int32, len(k))
		for i := range k {
			s[i] = int32(k[i])
		}
		words = append(words, w{s, c})
	}
	texts2 := make([]string, 256)
	for b := range texts2 {
		texts2[b] = string(byteRune[b])
	}
	var merges []string
	for len(merges) < n {
		pc := map[pair]int64{}
		for _, x := range words {
			for i := 0; i+1 < len(x.syms); i++ {
				pc[pairOf(x.syms[i], x.syms[i+1])] += x.f
			}
		}
		var best pair
		var bc int64
		for p, c := range pc {
			if c > bc || (c == bc && p < best) {
				best, bc = p, c
			}
		}
		if bc < minFreq {
			break
		}
		a, b := best.split()
		id := int32(len(texts2))
		texts2 = append(texts2, texts2[a]+texts2[b])
		merges = append(merges, texts2[a]+" "+texts2[b])
		for wi := range words {
			s := words[wi].syms
			var out []int32
			for i := 0; i < len(s); i++ {
				if i+1 < len(s) && s[i] == a && s[i+1] == b {
					out = append(out, id)
					i++
				} else {
					out = append(out, s[i])
				}
			}
			words[wi].syms = out
		}
	}
	return merges
}

// The incremental pair counts give exactly the merges of a full recount,
// including on repeats like "aaaa" where pairs overlap.
func TestTrainMatchesNaive(t *testing.T) {
	texts := append(goSources(t, "sort", 60_000), "aaaa aaaaa abab ababab", "  \n\n\t\t    x")
	tok, err := Train(context.Background(), slices.Values(texts), 256+300+len(DefaultSpecial), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := naiveMerges(texts, 300, 2)
	if !reflect.DeepEqual(tok.Merges(), want) {
		for i := range min(len(want), len(tok.Merges())) {
			if tok.Merges()[i] != want[i] {
				t.Fatalf("merge %d: %q, naive %q (of %d and %d)", i, tok.Merges()[i], want[i], len(tok.Merges()), len(want))
			}
		}
		t.Fatalf("%d merges, naive %d", len(tok.Merges()), len(want))
	}
}

// Training depends on the texts, not on their order or on the run.
func TestTrainDeterministic(t *testing.T) {
	texts := goSources(t, "strings", 300_000)
	a, err := Train(context.Background(), slices.Values(texts), 1024, Options{})
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(texts)
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b, err := Train(context.Background(), slices.Values(shuffled), 1024, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != 1024 || !reflect.DeepEqual(a.tokens, b.tokens) || !reflect.DeepEqual(a.Merges(), b.Merges()) {
		t.Errorf("runs differ: %d and %d tokens", a.Len(), b.Len())
	}
	for _, s := range DefaultSpecial {
		if id, ok := a.Special(s); !ok || id < 1024-int32(len(DefaultSpecial)) {
			t.Errorf("special %s: id %d, %v", s, id, ok)
		}
	}
}

// A tokenizer trained on Go code compresses other Go code well and
// round-trips it exactly.
func TestTrainOnGoCode(t *testing.T) {
	train := goSources(t, "fmt", 400_000)
	tok, err := Train(context.Background(), slices.Values(train), 2048, Options{})
	if err != nil {
		t.Fatal(err)
	}
	held := goSources(t, "bufio", 100_000)
	var bytes, tokens int
	for _, text := range held {
		ids := tok.Encode(text)
		if got := tok.Decode(ids); got != text {
			t.Fatalf("round trip changed a file of %d bytes", len(text))
		}
		bytes += len(text)
		tokens += len(ids)
	}
	// Byte-level BPE with 2k tokens learned from 400 KB takes Go code
	// under half a token per byte (0.41 when written); bytes alone are 1.
	if r := float64(tokens) / float64(bytes); r > 0.45 {
		t.Errorf("%.3f tokens per byte on held-out code", r)
	}
	for _, kw := range []string{"func", " return", " err", "\n\t"} {
		if ids := tok.Encode(kw); len(ids) != 1 {
			t.Errorf("%q is %d tokens, want 1", kw, len(ids))
		}
	}
}

func TestEncodeDecodeArbitrary(t *testing.T) {
	tok, err := Train(context.Background(), slices.Values(goSources(t, "unicode/utf8", 50_000)), 600, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	cases := []string{"", "\x00", "\xff\xfe\xfd", "héllo wörld 日本 🙂", "a\r\n\tb", strings.Repeat(" ", 300), EndOfText}
	for i := 0; i < 500; i++ {
		b := make([]byte, rng.IntN(64))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		cases = append(cases, string(b))
	}
	for _, in := range cases {
		ids := tok.Encode(in)
		if got := tok.Decode(ids); got != in {
			t.Fatalf("Decode(Encode(%q)) = %q", in, got)
		}
		if utf8.ValidString(in) && len(ids) > len(in) {
			t.Fatalf("%q: %d tokens for %d bytes", in, len(ids), len(in))
		}
	}
	// Special tokens decode to their text and are never produced by Encode.
	eot, _ := tok.Special(EndOfText)
	if got := tok.Decode([]int32{eot, 1000000, -1}); got != EndOfText {
		t.Errorf("Decode of special and invalid ids = %q", got)
	}
	if slices.Contains(tok.Encode(EndOfText), eot) {
		t.Error("Encode produced a special token from text")
	}
}

func TestTrainErrors(t *testing.T) {
	texts := slices.Values([]string{"some text some text"})
	if _, err := Train(context.Background(), texts, 200, Options{}); err == nil {
		t.Error("vocabulary smaller than the byte tokens accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, texts, 1000, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// Too little text stops early with fewer tokens, not an error.
	tok, err := Train(context.Background(), texts, 1000, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Len() >= 1000 || tok.Len() <= 256+len(DefaultSpecial) {
		t.Errorf("%d tokens from one short text", tok.Len())
	}
}

// slowBPE is the textbook encoder: merge the lowest-ranked, leftmost pair
// until none applies.
func slowBPE(t *Tokenizer, piece string) []int32 {
	var syms []int32
	for i := 0; i < len(piece); i++ {
		syms = append(syms, t.byteID[piece[i]])
	}
	for {
		best, at := merged{}, -1
		for i := 0; i+1 < len(syms); i++ {
			if m, ok := t.ranks[pairOf(syms[i], syms[i+1])]; ok && (at < 0 || m.rank < best.rank) {
				best, at = m, i
			}
		}
		if at < 0 {
			return syms
		}
		syms[at] = best.id
		syms = append(syms[:at+1], syms[at+2:]...)
	}
}

func TestEncodeMatchesSlowBPE(t *testing.T) {
	texts := goSources(t, "strconv", 200_000)
	tok, err := Train(context.Background(), slices.Values(texts), 1500, Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, strings.Repeat("a", 5000), strings.Repeat("ab", 3000), strings.Repeat(" ", 4000)+"x")
	for _, text := range texts {
		var want []int32
		Split(text, func(p string) { want = append(want, slowBPE(tok, p)...) })
		if got := tok.Encode(text); !reflect.DeepEqual(got, want) {
			t.Fatalf("Encode differs from the textbook encoder on a text of %d bytes", len(text))
		}
	}
}
