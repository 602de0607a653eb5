package dataset

import (
	"strconv"
	"unicode/utf8"
)

// appendJSON appends r as encoding/json's Encoder writes it with HTML
// escaping off, the newline included, without reflection. The tests hold
// it to encoding/json byte for byte; a field added to Record must be added
// here too.
func (r *Record) appendJSON(b []byte) []byte {
	b = appendJSONField(b, `{"id":`, r.ID)
	b = appendJSONField(b, `,"repo":`, r.Repo)
	b = appendJSONField(b, `,"commit":`, r.Commit)
	b = appendJSONField(b, `,"path":`, r.Path)
	if r.URL != "" {
		b = appendJSONField(b, `,"url":`, r.URL)
	}
	b = appendJSONField(b, `,"license":`, r.License)
	b = appendJSONField(b, `,"language":`, r.Language)
	b = appendJSONField(b, `,"name":`, r.Name)
	b = appendJSONField(b, `,"qualified_name":`, r.QualifiedName)
	b = appendJSONField(b, `,"kind":`, r.Kind)
	b = appendJSONField(b, `,"signature":`, r.Signature)
	b = appendJSONField(b, `,"docstring":`, r.Docstring)
	b = appendJSONField(b, `,"code":`, r.Code)
	b = strconv.AppendInt(append(b, `,"start_line":`...), int64(r.StartLine), 10)
	b = strconv.AppendInt(append(b, `,"end_line":`...), int64(r.EndLine), 10)
	b = strconv.AppendInt(append(b, `,"complexity":`...), int64(r.Complexity), 10)
	b = strconv.AppendInt(append(b, `,"tokens":`...), int64(r.Tokens), 10)
	b = appendJSONField(b, `,"split":`, r.Split)
	return append(b, "}\n"...)
}

func appendJSONField(b []byte, key, s string) []byte {
	return appendJSONString(append(b, key...), s)
}

// appendJSONString appends s as a JSON string the way encoding/json does
// without HTML escaping: control characters, quotes and backslashes
// escaped, invalid UTF-8 as \ufffd, U+2028 and U+2029 as escapes (they end
// lines in JavaScript), everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is still to be copied
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(append(b, s[start:i]...), '\\')
			switch c {
			case '"', '\\':
				b = append(b, c)
			case '\b':
				b = append(b, 'b')
			case '\f':
				b = append(b, 'f')
			case '\n':
				b = append(b, 'n')
			case '\r':
				b = append(b, 'r')
			case '\t':
				b = append(b, 't')
			default:
				b = append(b, 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes a JSON string holds as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
