package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// NormalizeCode is the text that identity and exact duplicates are judged
// on: every run of whitespace becomes one space, so re-indented or
// re-wrapped copies of a function count as the same.
func NormalizeCode(code string) string {
	return strings.Join(strings.Fields(code), " ")
}

// ID is a record's identity: the hex SHA-256 of its normalized code.
func ID(code string) string {
	sum := sha256.Sum256([]byte(NormalizeCode(code)))
	return hex.EncodeToString(sum[:])
}

// eachToken calls fn with each token of code: runs of letters, digits and
// underscores (bytes of multi-byte characters included), and every other
// non-space byte on its own.
func eachToken(code string, fn func(tok string)) {
	for i := 0; i < len(code); {
		c := code[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isWordByte(c):
			j := i + 1
			for j < len(code) && isWordByte(code[j]) {
				j++
			}
			fn(code[i:j])
			i = j
		default:
			fn(code[i : i+1])
			i++
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// ApproxTokens estimates how many tokens a code model's tokenizer makes of
// code: one per symbol, and one per six characters of each word, since
// subword vocabularies split long identifiers.
func ApproxTokens(code string) int {
	n := 0
	eachToken(code, func(tok string) { n += 1 + (len(tok)-1)/6 })
	return n
}
