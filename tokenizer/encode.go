package tokenizer

import "strings"

// Encode returns the tokens of text. Special token texts in it are encoded
// as ordinary text; callers add special tokens by id.
func (t *Tokenizer) Encode(text string) []int32 {
	var out []int32
	var syms []int32
	Split(text, func(piece string) {
		syms = syms[:0]
		for i := 0; i < len(piece); i++ {
			syms = append(syms, t.byteID[piece[i]])
		}
		out = append(out, t.bpe(syms)...)
	})
	return out
}

// bpe applies merges to one piece, lowest rank first and leftmost among
// equals, as llama.cpp does.
func (t *Tokenizer) bpe(syms []int32) []int32 {
	for len(syms) > 1 {
		best, at := merged{rank: -1}, -1
		for i := 0; i+1 < len(syms); i++ {
			if m, ok := t.ranks[pairOf(syms[i], syms[i+1])]; ok && (at < 0 || m.rank < best.rank) {
				best, at = m, i
			}
		}
		if at < 0 {
			break
		}
		syms[at] = best.id
		syms = append(syms[:at+1], syms[at+2:]...)
	}
	return syms
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
