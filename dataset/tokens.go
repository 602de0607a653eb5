package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode"
	"unicode/utf8"
)

// NormalizeCode is the text that identity and exact duplicates are judged
// on: every run of whitespace becomes one space, so re-indented or
// re-wrapped copies of a function count as the same.
func NormalizeCode(code string) string {
	return string(appendNormalized(nil, code))
}

// appendNormalized appends NormalizeCode(code) to dst. It splits where
// strings.Fields does (ASCII spaces, and Unicode spaces beyond ASCII) but
// copies whole stretches of ASCII in which fields are already apart by one
// space, typically a line, instead of building a slice of the fields.
func appendNormalized(dst []byte, code string) []byte {
	start, apart := len(dst), false // apart: a space came since the last field
	for i := 0; i < len(code); {
		c, size := code[i], 1
		switch {
		case fieldByte[c]:
			size = spacedRun(code, i) - i
		case asciiSpace[c]:
			apart = true
			i++
			continue
		case c >= utf8.RuneSelf:
			var r rune
			if r, size = utf8.DecodeRuneInString(code[i:]); unicode.IsSpace(r) {
				apart = true
				i += size
				continue
			}
		}
		if apart && len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = append(dst, code[i:i+size]...)
		apart = false
		i += size
	}
	return dst
}

// spacedRun returns the end of the stretch of ASCII from i, a byte of a
// field, whose fields are apart by single spaces: NormalizeCode keeps it as
// it is.
func spacedRun(code string, i int) int {
	for i++; i < len(code); i++ {
		if !fieldByte[code[i]] && (code[i] != ' ' || i+1 == len(code) || !fieldByte[code[i+1]]) {
			break
		}
	}
	return i
}

var (
	asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
	// fieldByte marks the ASCII bytes that are not spaces.
	fieldByte = func() (t [256]bool) {
		for c := range utf8.RuneSelf {
			t[c] = !asciiSpace[c]
		}
		return t
	}()
)

// normalizedHash is the SHA-256 of NormalizeCode(code). Typical functions
// are normalized on the stack.
func normalizedHash(code string) [sha256.Size]byte {
	var buf [8 << 10]byte
	return sha256.Sum256(appendNormalized(buf[:0], code))
}

// ID is a record's identity: the hex SHA-256 of its normalized code.
func ID(code string) string {
	sum := normalizedHash(code)
	return hex.EncodeToString(sum[:])
}

// Token classes of bytes. Tokens are runs of letters, digits and
// underscores (bytes of multi-byte characters included), and every other
// non-space byte on its own.
const (
	tokSymbol = iota // a token on its own
	tokSpace
	tokWord // part of a run of letters, digits, underscores and non-ASCII bytes
)

var tokenClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			t[c] = tokSpace
		case isWordByte(byte(c)):
			t[c] = tokWord
		}
	}
	return t
}()

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
