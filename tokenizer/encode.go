package tokenizer

import "strings"

// Encode returns the tokens of text. Special token texts in it are encoded
// as ordinary text; callers add special tokens by id.
func (t *Tokenizer) Encode(text string) []int32 {
	var out []int32
	var s bpeScratch
	Split(text, func(piece string) {
		s.syms = s.syms[:0]
		for i := 0; i < len(piece); i++ {
			s.syms = append(s.syms, t.byteID[piece[i]])
		}
		out = append(out, t.bpe(&s)...)
	})
	return out
}

// bpeScratch is the working memory of bpe, reused across the pieces of one
// text.
type bpeScratch struct {
	syms       []int32
	next, prev []int
	heap       []candidate
}

// candidate is a possible merge of the symbol at left with the next one,
// a and b, making token id; it is stale once either symbol has changed.
type candidate struct {
	rank     int32
	left     int
	a, b, id int32
}

func (c candidate) before(d candidate) bool {
	return c.rank < d.rank || (c.rank == d.rank && c.left < d.left)
}

// bpe applies merges to the piece in s.syms, lowest rank first and leftmost
// among equals, as llama.cpp does. Symbols form a linked list and candidate
// merges wait in a heap, so a long piece costs O(n log n), not O(n²).
func (t *Tokenizer) bpe(s *bpeScratch) []int32 {
	syms := s.syms
	n := len(syms)
	if n < 2 {
		return syms
	}
	s.next, s.prev, s.heap = resize(s.next, n), resize(s.prev, n), s.heap[:0]
	next, prev := s.next, s.prev // next is n past the end, prev -1 before the start
	for i := range syms {
		next[i], prev[i] = i+1, i-1
	}
	push := func(left int) {
		if left < 0 || next[left] >= n {
			return
		}
		a, b := syms[left], syms[next[left]]
		if m, ok := t.ranks[pairOf(a, b)]; ok {
			s.push(candidate{m.rank, left, a, b, m.id})
		}
	}
	for i := 0; i+1 < n; i++ {
		push(i)
	}
	for len(s.heap) > 0 {
		c := s.pop()
		right := next[c.left]
		if syms[c.left] != c.a || right >= n || syms[right] != c.b {
			continue // queued before one of its symbols changed
		}
		syms[c.left] = c.id
		syms[right] = -1 // dead: no candidate matches it any more
		next[c.left] = next[right]
		if next[right] < n {
			prev[next[right]] = c.left
		}
		push(prev[c.left])
		push(c.left)
	}
	out := syms[:0]
	for i := 0; i < n; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}

func resize(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

// push and pop keep s.heap a binary min-heap by candidate.before.
func (s *bpeScratch) push(c candidate) {
	h := append(s.heap, c)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	s.heap = h
}

func (s *bpeScratch) pop() candidate {
	h := s.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(h) && h[l].before(h[small]) {
			small = l
		}
		if r := l + 1; r < len(h) && h[r].before(h[small]) {
			small = r
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
	s.heap = h
	return top
}

// Decode returns the bytes the tokens stand for; special tokens give their
// text. Ids outside the vocabulary are skipped.
func (t *Tokenizer) Decode(ids []int32) string {
	var b strings.Builder
	for _, id := range ids {
		if id < 0 || int(id) >= len(t.tokens) {
			continue
		}
		if _, special := t.special[t.tokens[id]]; special {
			b.WriteString(t.tokens[id])
			continue
		}
		for _, r := range t.tokens[id] {
			b.WriteByte(runeByte[r])
		}
	}
	return b.String()
}
