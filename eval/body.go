package eval

import "strings"

// cutBody ends generated text where the function being written ends, so that
// what is scored is one function body: after the } that closes the body's
// opening brace (braceBody), or in Python before the first line indented
// less than the body's first line. Other text is returned whole. done
// reports whether the end was found, which lets generation stop early.
func cutBody(text, lang string, braceBody bool) (body string, done bool) {
	switch {
	case braceBody:
		if i := closingBrace(text); i >= 0 {
			return text[:i+1] + "\n", true
		}
	case lang == LangPython:
		if i := dedent(text); i >= 0 {
			return text[:i], true
		}
	}
	return text, false
}

// closingBrace finds the } that brings the depth from 1 (inside the body) to
// 0, skipping braces in comments (//, /* */) and string or character
// literals ("", “, 'x'); -1 when the body is not closed yet.
func closingBrace(s string) int {
	depth := 1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{':
			depth++
		case c == '}':
			if depth--; depth == 0 {
				return i
			}
		case strings.HasPrefix(s[i:], "//"):
			i = skipTo(s, i+2, "\n")
		case strings.HasPrefix(s[i:], "/*"):
			i = skipTo(s, i+2, "*/")
		case c == '"' || c == '`':
			i = skipString(s, i, c)
		case c == '\'':
			// A quote is a character literal only when it closes within a
			// short escape ('x', '\n', '\u00e9'); otherwise it is a Rust
			// lifetime or similar and opens nothing.
			if j := strings.IndexByte(s[i+1:min(len(s), i+12)], '\''); j >= 0 && (j == 1 || s[i+1] == '\\') {
				i += j + 1
			}
		}
	}
	return -1
}

// skipTo returns the index of the last byte of the first end at or after i,
// or len(s) when there is none (the rest is inside the comment).
func skipTo(s string, i int, end string) int {
	if j := strings.Index(s[i:], end); j >= 0 {
		return i + j + len(end) - 1
	}
	return len(s)
}

// skipString returns the index of the quote closing the literal opened at i.
func skipString(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if q != '`' {
				j++
			}
		case q:
			return j
		}
	}
	return len(s)
}

// dedent finds where a Python body ends: before the first line, after the
// first non-blank one, that is indented less than that first one, and before
// the blank lines preceding it. -1 when every line so far belongs to the
// body. A last line without its newline counts once it has a non-blank
// character.
func dedent(s string) int {
	indent, bodyEnd := -1, 0
	for start := 0; start < len(s); {
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			end = len(s) - start
		}
		line := s[start : start+end]
		start += end + 1
		if strings.TrimSpace(line) == "" {
			continue
		}
		n := len(line) - len(strings.TrimLeft(line, " \t"))
		if indent < 0 {
			indent = n
		} else if n < indent {
			return bodyEnd
		}
		bodyEnd = min(start, len(s))
	}
	return -1
}
