package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// class is what the GPT-2 split pattern distinguishes about a character.
type class uint8

const (
	classNone   class = iota // past the end of the text
	classSpace               // \s
	classLetter              // \p{L}
	classNumber              // \p{N}
	classOther               // anything else, including invalid UTF-8 bytes
)

func classify(r rune) class {
	switch {
	case unicode.IsSpace(r):
		return classSpace
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	}
	return classOther
}

// at decodes the character at byte offset i: its class and byte length. An
// invalid byte is a character of its own (class other), so every byte of
// the text lands in exactly one piece.
func at(s string, i int) (class, int) {
	if i >= len(s) {
		return classNone, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return classifyASCII[c], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return classify(r), n
}

var classifyASCII = func() (t [utf8.RuneSelf]class) {
	for c := range t {
		t[c] = classify(rune(c))
	}
	return t
}()

// Split calls fn with the pieces of text, in order, as GPT-2's pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// cuts it (the pattern of llama.cpp's "gpt-2" pre-tokenizer). The pieces
// are substrings of text and concatenate back to it.
func Split(text string, fn func(piece string)) {
	for pos := 0; pos < len(text); {
		end := pieceEnd(text, pos)
		fn(text[pos:end])
		pos = end
	}
}

// pieceEnd returns where the piece starting at pos ends.
func pieceEnd(s string, pos int) int {
	if n := contraction(s, pos); n > 0 {
		return pos + n
	}
	cls, size := at(s, pos)
	start := pos
	if s[pos] == ' ' { // an optional leading space joins a run of one class
		start = pos + 1
		cls, size = at(s, start)
	}
	if cls == classLetter || cls == classNumber || cls == classOther {
		end := start + size
		for {
			c, n := at(s, end)
			if c != cls {
				return end
			}
			end += n
		}
	}
	// Whitespace: a run followed by more text leaves its last character to
	// lead the next piece (\s+(?!\S)); a run at the end is taken whole.
	end, last, count := pos, pos, 0
	for {
		c, n := at(s, end)
		if c != classSpace {
			break
		}
		last, end, count = end, end+n, count+1
	}
	if count > 1 && end < len(s) {
		return last
	}
	return end
}

// contraction returns the length of 's 't 're 've 'm 'll 'd at pos, or 0.
func contraction(s string, pos int) int {
	if s[pos] != '\'' || pos+1 >= len(s) {
		return 0
	}
	switch s[pos+1] {
	case 's', 't', 'm', 'd':
		return 2
	}
	if pos+2 < len(s) {
		switch s[pos+1 : pos+3] {
		case "re", "ve", "ll":
			return 3
		}
	}
	return 0
}
