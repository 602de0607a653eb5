package bindings

import (
	"strings"
	"unicode/utf8"
)

// textStream turns raw token pieces into text that is safe to show: it
// holds back an incomplete UTF-8 character and any tail that could be the
// start of a stop string, and reports the first stop string seen.
type textStream struct {
	stops   []string
	pending []byte
}

// push adds a piece and returns the text that can be released now; stopped
// is true when a stop string appeared (it and everything after it are
// dropped).
func (s *textStream) push(piece []byte) (out string, stopped bool) {
	s.pending = append(s.pending, piece...)
	if i, ok := s.firstStop(); ok {
		out = string(s.pending[:i])
		s.pending = s.pending[:0]
		return out, true
	}
	n := len(s.pending) - s.heldForStop()
	n = completeUTF8(s.pending[:n])
	out = string(s.pending[:n])
	s.pending = append(s.pending[:0], s.pending[n:]...)
	return out, false
}

// flush releases whatever is held back, at the end of generation.
func (s *textStream) flush() string {
	out := string(s.pending)
	s.pending = s.pending[:0]
	return out
}

func (s *textStream) firstStop() (int, bool) {
	best := -1
	text := string(s.pending)
	for _, stop := range s.stops {
		if i := strings.Index(text, stop); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best, best >= 0
}

// heldForStop is the length of the longest tail of pending that is a proper
// prefix of a stop string.
func (s *textStream) heldForStop() int {
	held := 0
	for _, stop := range s.stops {
		for k := min(len(stop)-1, len(s.pending)); k > held; k-- {
			if string(s.pending[len(s.pending)-k:]) == stop[:k] {
				held = k
				break
			}
		}
	}
	return held
}

// completeUTF8 returns the length of the longest prefix of b that does not
// end inside a multi-byte character. Invalid bytes are released as they are.
func completeUTF8(b []byte) int {
	// A character is at most 4 bytes: only the last 3 can be incomplete.
	for back := 1; back <= 3 && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < 0x80 {
			return len(b)
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-back:]) {
				return len(b) - back
			}
			return len(b)
		}
	}
	return len(b)
}
