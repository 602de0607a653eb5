package eval

import (
	"strings"

	"github.com/codeloom/codeloom/dataset"
)

// Prompt is what the model sees of a held-out record and what it should
// write: Prompt is the function's head (doc comment, signature, and for
// Python the docstring), Reference the real rest of the function.
type Prompt struct {
	Prompt, Reference string
	// BraceBody is set when Prompt ends by opening a { block, so the body
	// ends where that brace closes.
	BraceBody bool
}

// BuildPrompt splits a record into prompt and reference. The signature is
// found in the code, and the body starts after it: after the opening brace's
// line in brace languages, after the colon's line and any docstring literal
// in Python, and otherwise after the signature's line. A docstring that the
// code does not already carry before the signature is added as a comment in
// the record's language. ok is false when the signature is not in the code or
// nothing of the body would be left to write.
func BuildPrompt(r *dataset.Record) (p Prompt, ok bool) {
	i, end := findSignature(r.Code, r.Signature)
	if i < 0 {
		return Prompt{}, false
	}
	var head int
	if r.Language == LangPython {
		head = pythonHead(r.Code, end)
	} else {
		head, p.BraceBody = braceHead(r.Code, end)
	}
	if head < 0 || strings.TrimSpace(r.Code[head:]) == "" {
		return Prompt{}, false
	}
	p.Prompt, p.Reference = r.Code[:head], r.Code[head:]
	if doc := firstLine(r.Docstring); doc != "" && r.Language != LangPython && !strings.Contains(r.Code[:i], doc) {
		p.Prompt = docComment(r.Language, r.Docstring) + p.Prompt
	}
	return p, true
}

// findSignature finds sig in code ignoring whitespace, since extraction
// may join a signature written over several lines into one: start and end
// are byte offsets in code, -1 when sig is not there.
func findSignature(code, sig string) (start, end int) {
	var squeezed []byte
	var at []int // at[k]: offset in code of squeezed[k]
	for i := 0; i < len(code); i++ {
		if !isSpace(code[i]) {
			squeezed = append(squeezed, code[i])
			at = append(at, i)
		}
	}
	want := strings.Map(func(r rune) rune {
		if r < 0x80 && isSpace(byte(r)) {
			return -1
		}
		return r
	}, sig)
	k := strings.Index(string(squeezed), want)
	if want == "" || k < 0 {
		return -1, -1
	}
	return at[k], at[k+len(want)-1] + 1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// lineEnd is the index just past the newline ending the line that holds i;
// -1 when that line is the last.
func lineEnd(s string, i int) int {
	j := strings.IndexByte(s[i:], '\n')
	if j < 0 {
		return -1
	}
	return i + j + 1
}

// pythonHead ends the head after the signature's line, which must hold
// nothing but the colon and maybe a comment (a body on that line is not a
// body to write), and after a docstring literal that opens the body.
func pythonHead(code string, sigEnd int) int {
	end := lineEnd(code, sigEnd)
	if end < 0 {
		return -1
	}
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(code[sigEnd:end]), ":"))
	if rest != "" && !strings.HasPrefix(rest, "#") {
		return -1
	}
	if e := docstringEnd(code, end); e >= 0 {
		return e
	}
	return end
}

// docstringEnd is the index past the line where a string literal that is
// the first statement at or after i closes (len(code) when that is the last
// line); -1 when the first statement is not a string literal.
func docstringEnd(code string, i int) int {
	body := strings.TrimLeft(code[i:], " \t\r\n")
	lit := strings.TrimLeft(body, "rRbBuU") // string prefixes
	if len(body)-len(lit) > 2 {
		return -1
	}
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if !strings.HasPrefix(lit, q) {
			continue
		}
		open := len(code) - len(lit) + len(q)
		c := strings.Index(code[open:], q)
		if c < 0 {
			return -1
		}
		if e := lineEnd(code, open+c); e >= 0 {
			return e
		}
		return len(code)
	}
	return -1
}

// braceHead ends the head after the line of the { that follows the
// signature; when something else follows (an expression body, a keyword
// block), after the signature's line.
func braceHead(code string, sigEnd int) (int, bool) {
	rest := strings.TrimLeft(code[sigEnd:], " \t\r\n")
	if strings.HasPrefix(rest, "{") {
		return lineEnd(code, len(code)-len(rest)), true
	}
	return lineEnd(code, sigEnd), false
}

// docComment renders doc as line comments of lang.
func docComment(lang, doc string) string {
	mark := "// "
	if lang == "ruby" {
		mark = "# "
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(doc), "\n") {
		b.WriteString(strings.TrimRight(mark+l, " "))
		b.WriteByte('\n')
	}
	return b.String()
}
