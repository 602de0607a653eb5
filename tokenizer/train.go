package tokenizer

import (
	"container/heap"
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Options tune training. The zero value is ready to use.
type Options struct {
	// MinFrequency stops training when the most frequent pair occurs fewer
	// times; default 2 (a pair seen once teaches nothing).
	MinFrequency int64
	// Special tokens, added after the merges as control tokens; default
	// DefaultSpecial. The first is the beginning and end of text.
	Special []string
}

// Special tokens of a trained tokenizer.
const (
	EndOfText  = "<|endoftext|>"
	FIMPrefix  = "<|fim_prefix|>"
	FIMMiddle  = "<|fim_middle|>"
	FIMSuffix  = "<|fim_suffix|>"
	PadToken   = "<|pad|>"
	byteTokens = 256
)

// DefaultSpecial are the special tokens Train adds unless told otherwise.
var DefaultSpecial = []string{EndOfText, FIMPrefix, FIMMiddle, FIMSuffix, PadToken}

// Train learns a byte-level BPE tokenizer of at most vocabSize tokens (256
// byte tokens, the merges, then the special tokens) from texts. It stops
// early, with fewer tokens, when no pair is frequent enough.
func Train(ctx context.Context, texts iter.Seq[string], vocabSize int, opts Options) (*Tokenizer, error) {
	if opts.MinFrequency <= 0 {
		opts.MinFrequency = 2
	}
	if opts.Special == nil {
		opts.Special = DefaultSpecial
	}
	merges := vocabSize - byteTokens - len(opts.Special)
	if merges < 0 {
		return nil, fmt.Errorf("train tokenizer: vocabulary %d cannot hold %d byte and %d special tokens", vocabSize, byteTokens, len(opts.Special))
	}
	words, err := countWords(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("train tokenizer: %w", err)
	}
	t := newTrainer(words)
	pairs, err := t.run(ctx, merges, opts.MinFrequency)
	if err != nil {
		return nil, fmt.Errorf("train tokenizer: %w", err)
	}
	return build(pairs, opts.Special)
}

// countWords splits every text and counts the distinct pieces, returned in
// sorted order so that training does not depend on map iteration.
func countWords(ctx context.Context, texts iter.Seq[string]) ([]word, error) {
	counts := map[string]int64{}
	n := 0
	for text := range texts {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		Split(text, func(p string) {
			if c, ok := counts[p]; ok {
				counts[p] = c + 1
			} else {
				counts[strings.Clone(p)] = 1 // do not keep the whole text alive
			}
		})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	words := make([]word, len(keys))
	for i, k := range keys {
		syms := make([]int32, len(k))
		for j := 0; j < len(k); j++ {
			syms[j] = int32(k[j])
		}
		words[i] = word{syms: syms, freq: counts[k]}
	}
	return words, nil
}

// word is a distinct piece of text as a sequence of token ids, with the
// number of times it occurs.
type word struct {
	syms []int32
	freq int64
}

type pair uint64

func pairOf(a, b int32) pair       { return pair(uint64(uint32(a))<<32 | uint64(uint32(b))) }
func (p pair) split() (a, b int32) { return int32(uint32(p >> 32)), int32(uint32(p)) }

// trainer holds the pair statistics: how often each adjacent pair occurs,
// weighted by word frequency, and which words may contain it.
type trainer struct {
	words  []word
	counts map[pair]int64
	where  map[pair][]int32 // word indexes; may hold stale or repeated entries
	queue  pairHeap
	seen   []int32 // per word, the last merge that visited it (plus one)
	dirty  []pair  // pairs whose counts grew during the current merge
}

func newTrainer(words []word) *trainer {
	t := &trainer{words: words, counts: map[pair]int64{}, where: map[pair][]int32{}, seen: make([]int32, len(words))}
	for i, w := range words {
		for j := 0; j+1 < len(w.syms); j++ {
			p := pairOf(w.syms[j], w.syms[j+1])
			t.counts[p] += w.freq
			t.note(p, int32(i))
		}
	}
	for p, c := range t.counts {
		t.queue = append(t.queue, pairCount{p, c})
	}
	heap.Init(&t.queue)
	return t
}

// note records word w as a place where p occurs.
func (t *trainer) note(p pair, w int32) {
	if ws := t.where[p]; len(ws) == 0 || ws[len(ws)-1] != w {
		t.where[p] = append(ws, w)
	}
}

// add changes the count of p by delta, remembering word w as a place where
// p occurs when the count grows.
func (t *trainer) add(p pair, delta int64, w int32) {
	t.counts[p] += delta
	if delta > 0 {
		t.note(p, w)
		t.dirty = append(t.dirty, p)
	}
}

// run performs up to n merges and returns them in order; the token made by
// merge i has id 256+i.
func (t *trainer) run(ctx context.Context, n int, minFreq int64) ([]pair, error) {
	merges := make([]pair, 0, n)
	for len(merges) < n && t.queue.Len() > 0 {
		if len(merges)%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		top := heap.Pop(&t.queue).(pairCount)
		if cur := t.counts[top.p]; cur != top.count {
			if cur > 0 { // stale entry: requeue with the current count
				heap.Push(&t.queue, pairCount{top.p, cur})
			}
			continue
		}
		if top.count < minFreq {
			break
		}
		id := int32(byteTokens + len(merges))
		merges = append(merges, top.p)
		t.merge(top.p, id, int32(len(merges)))
	}
	return merges, nil
}

// merge replaces pair p by token id in every word that holds it and
// updates the counts of the pairs around each replacement.
func (t *trainer) merge(p pair, id, stamp int32) {
	a, b := p.split()
	t.dirty = t.dirty[:0]
	for _, wi := range t.where[p] {
		if t.seen[wi] == stamp {
			continue
		}
		t.seen[wi] = stamp
		t.mergeWord(wi, a, b, id)
	}
	delete(t.where, p)
	delete(t.counts, p)
	for _, q := range t.dirty {
		if c := t.counts[q]; c > 0 {
			heap.Push(&t.queue, pairCount{q, c})
		}
	}
}

func (t *trainer) mergeWord(wi int32, a, b, id int32) {
	w := &t.words[wi]
	s, f := w.syms, w.freq
	out := s[:0] // compacted in place: out never overtakes the reading index
	for i := 0; i < len(s); {
		if i+1 < len(s) && s[i] == a && s[i+1] == b {
			if len(out) > 0 {
				prev := out[len(out)-1]
				t.add(pairOf(prev, a), -f, wi)
				t.add(pairOf(prev, id), f, wi)
			}
			if i+2 < len(s) {
				next := s[i+2]
				t.add(pairOf(b, next), -f, wi)
				t.add(pairOf(id, next), f, wi)
			}
			out = append(out, id)
			i += 2
			continue
		}
		out = append(out, s[i])
		i++
	}
	w.syms = out
}

// pairCount is a heap entry; entries go stale when counts change and are
// checked against the live count when popped.
type pairCount struct {
	p     pair
	count int64
}

// pairHeap pops the most frequent pair; ties go to the smaller pair of ids,
// which keeps training deterministic.
type pairHeap []pairCount

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	return h[i].p < h[j].p
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairCount)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
