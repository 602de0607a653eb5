package dataset

import (
	"encoding/binary"
	"encoding/json"
	"math"
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

// recordDecoder decodes JSONL lines into Records as json.Unmarshal does,
// about ten times faster. Lines as a Writer writes them are parsed by hand:
// an object of Record's keys, spelled exactly, with strings and plain
// integers. Anything else (another key or spelling, null, a fraction,
// escaped surrogates, invalid UTF-8, a syntax error) goes to encoding/json,
// so that such lines get its results and its errors.
type recordDecoder struct {
	prev    Record // the last record decoded: equal strings are shared
	scratch []byte // unescaped strings
}

// decode decodes line into r.
func (d *recordDecoder) decode(line []byte, r *Record) error {
	*r = Record{}
	if !d.parse(line, r) {
		*r = Record{}
		if err := json.Unmarshal(line, r); err != nil {
			return err
		}
	}
	d.prev = *r
	return nil
}

// parse decodes line into r if it is a plain object of Record's fields.
func (d *recordDecoder) parse(b []byte, r *Record) bool {
	i := skipJSONSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return false
	}
	i = skipJSONSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipJSONSpace(b, i+1) == len(b)
	}
	for {
		key, ok := plainJSONKey(b, i)
		if !ok {
			return false
		}
		i = skipJSONSpace(b, i+len(key)+2)
		if i == len(b) || b[i] != ':' {
			return false
		}
		i = skipJSONSpace(b, i+1)
		if s, prev := r.stringField(key), d.prev.stringField(key); s != nil {
			*s, i, ok = d.parseString(b, i, *prev)
		} else if n := r.intField(key); n != nil {
			*n, i, ok = parseJSONInt(b, i)
		} else {
			return false
		}
		if i = skipJSONSpace(b, i); !ok || i == len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipJSONSpace(b, i+1)
		case '}':
			return skipJSONSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

func (r *Record) stringField(key []byte) *string {
	switch string(key) {
	case "id":
		return &r.ID
	case "repo":
		return &r.Repo
	case "commit":
		return &r.Commit
	case "path":
		return &r.Path
	case "url":
		return &r.URL
	case "license":
		return &r.License
	case "language":
		return &r.Language
	case "name":
		return &r.Name
	case "qualified_name":
		return &r.QualifiedName
	case "kind":
		return &r.Kind
	case "signature":
		return &r.Signature
	case "docstring":
		return &r.Docstring
	case "code":
		return &r.Code
	case "split":
		return &r.Split
	}
	return nil
}

func (r *Record) intField(key []byte) *int {
	switch string(key) {
	case "start_line":
		return &r.StartLine
	case "end_line":
		return &r.EndLine
	case "complexity":
		return &r.Complexity
	case "tokens":
		return &r.Tokens
	}
	return nil
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainJSONKey returns the key of the string at b[i] when it is printable
// ASCII without escapes.
func plainJSONKey(b []byte, i int) ([]byte, bool) {
	if i == len(b) || b[i] != '"' {
		return nil, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], true
		case c == '\\' || c < ' ' || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}

// parseString parses the JSON string at b[i], returning prev itself when
// equal, and the index after it; ok is false for what parse leaves to
// encoding/json.
func (d *recordDecoder) parseString(b []byte, i int, prev string) (s string, end int, ok bool) {
	if i == len(b) || b[i] != '"' {
		return "", i, false
	}
	i++
	start := i
	d.scratch = d.scratch[:0]
	for i < len(b) {
		i = skipJSONSafe(b, i)
		if i == len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			raw := b[start:i]
			if len(d.scratch) > 0 {
				raw = append(d.scratch, raw...)
				d.scratch = raw
			}
			if string(raw) == prev {
				return prev, i + 1, true
			}
			return string(raw), i + 1, true
		case c == '\\':
			d.scratch = append(d.scratch, b[start:i]...)
			if i, ok = d.unescape(b, i); !ok {
				return "", i, false
			}
			start = i
		case c < ' ':
			return "", i, false
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return "", i, false
			}
			i += size
		}
	}
	return "", i, false
}

// skipJSONSafe returns the index of the first byte from i on that is not
// printable ASCII or is a quote or backslash. It tests eight bytes at a
// time while none is (SWAR), since most of a string needs no attention.
func skipJSONSafe(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q, bs := x^('"'*ones), x^('\\'*ones)
		// The high bit of a byte is set by each test where the byte is
		// 0x80 or more, below 0x20, a quote, a backslash.
		if (x|(x-0x20*ones)|(q-ones)&^q|(bs-ones)&^bs)&highs != 0 {
			break
		}
	}
	for i < len(b) && b[i] < utf8.RuneSelf && jsonSafe[b[i]] {
		i++
	}
	return i
}

// unescape appends the character of the escape at b[i] to the scratch
// buffer and returns the index after the escape.
func (d *recordDecoder) unescape(b []byte, i int) (int, bool) {
	if i+1 == len(b) {
		return i, false
	}
	if c := jsonUnescaped[b[i+1]]; c != 0 {
		d.scratch = append(d.scratch, c)
		return i + 2, true
	}
	if b[i+1] != 'u' || i+6 > len(b) {
		return i, false
	}
	v, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
	if err != nil || v >= 0xd800 && v < 0xe000 { // surrogates pair up in encoding/json
		return i, false
	}
	d.scratch = utf8.AppendRune(d.scratch, rune(v))
	return i + 6, true
}

// jsonUnescaped maps the letters of JSON's one-letter escapes to their
// characters.
var jsonUnescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// maxIntDigits is the most decimal digits of an int.
const maxIntDigits = strconv.IntSize/64*9 + 10

// parseJSONInt parses the integer at b[i]: an optional minus and up to
// maxIntDigits digits, within an int. A leading zero followed by digits, or
// a fraction, is left for parse to reject at the next byte.
func parseJSONInt(b []byte, i int) (n int, end int, ok bool) {
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	start := i
	var u uint64 // maxIntDigits digits fit
	for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < maxIntDigits {
		u = u*10 + uint64(b[i]-'0')
		i++
	}
	if i == start || b[start] == '0' && i-start > 1 {
		return 0, i, false
	}
	if neg {
		return int(-u), i, u <= -math.MinInt
	}
	return int(u), i, u <= math.MaxInt
}
