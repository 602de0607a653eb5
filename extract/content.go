package extract

import (
	"bytes"
	"unicode/utf8"

	"github.com/go-enry/go-enry/v2"
)

// contentSkipReason tells files that are not hand-written source apart by
// their bytes: binary (NUL bytes), not UTF-8, generated, or minified.
func contentSkipReason(rel string, b []byte) string {
	switch {
	case enry.IsBinary(b):
		return SkipBinary
	case !utf8.Valid(b):
		return SkipInvalidUTF8
	case isMinified(b):
		return SkipMinified
	case enry.IsGenerated(rel, b):
		return SkipGenerated
	}
	return ""
}

// isMinified spots files squeezed onto few long lines: an average line
// over 200 bytes, or any line over 10,000.
func isMinified(b []byte) bool {
	if len(b) < 1024 {
		return false
	}
	lines := bytes.Count(b, []byte{'\n'}) + 1
	if len(b)/lines > 200 {
		return true
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b)
		}
		if i > 10_000 {
			return true
		}
		b = b[min(i+1, len(b)):]
	}
	return false
}
