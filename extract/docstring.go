package extract

import (
	"bytes"
	"sort"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
)

// docstring finds a function's documentation by its language's convention.
func (e *extractor) docstring(n, parent, body *sitter.Node) string {
	if e.lang.spec.doc == docPython {
		return pythonDocstring(body, e.src)
	}
	run := e.commentsAbove(e.anchor(n, parent))
	if len(run) == 0 {
		return ""
	}
	texts := make([]string, len(run))
	for i, c := range run {
		texts[i] = string(e.src[c.start:c.end])
	}
	last := texts[len(texts)-1]
	block := strings.HasPrefix(last, "/*")
	switch e.lang.spec.doc {
	case docJavadoc:
		if !isJavadoc(last) {
			return ""
		}
		return cleanBlock(last)
	case docTripleRun:
		if isJavadoc(last) {
			return cleanBlock(last)
		}
		return cleanLines(texts, "///", func(t string) bool { return strings.HasPrefix(t, "///") && !strings.HasPrefix(t, "////") })
	case docHashRun:
		return cleanLines(texts, "#", func(t string) bool { return strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "#!") })
	case docLineRun:
		if block {
			return cleanBlock(last)
		}
		return cleanLines(withoutDirectives(texts), "//", func(t string) bool { return strings.HasPrefix(t, "//") })
	default: // docAnyComment
		if block {
			return cleanBlock(last)
		}
		return cleanLines(texts, "//", func(t string) bool { return strings.HasPrefix(t, "//") })
	}
}

// isGoDirective tells the tool directives Go keeps out of doc comments
// (//go:generate, //go:linkname, //lint:ignore): `//`, then [a-z0-9]+, a
// colon and [a-z0-9].
func isGoDirective(t string) bool {
	rest, ok := strings.CutPrefix(t, "//")
	if !ok {
		return false
	}
	k := 0
	for k < len(rest) && isLowerAlnum(rest[k]) {
		k++
	}
	return k > 0 && k+1 < len(rest) && rest[k] == ':' && isLowerAlnum(rest[k+1])
}

func isLowerAlnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

func withoutDirectives(texts []string) []string {
	out := texts[:0:0]
	for _, t := range texts {
		if !isGoDirective(t) {
			out = append(out, t)
		}
	}
	return out
}

func isJavadoc(t string) bool { return strings.HasPrefix(t, "/**") && t != "/**/" }

// anchor is the node whose preceding comments document n: n itself, or the
// export/decorator/template node wrapping it, extended over attributes
// written as siblings before it (Rust #[...]).
func (e *extractor) anchor(n, parent *sitter.Node) *sitter.Node {
	a := n
	for p := parent; p != nil && e.lang.role(p) == roleWrapper; p = p.Parent() {
		a = p
	}
	if len(e.lang.spec.attributes) == 0 {
		return a // spares the sibling lookup, which tree-sitter makes from the root
	}
	for p := a.PrevNamedSibling(); p != nil && e.lang.role(p) == roleAttribute; p = p.PrevNamedSibling() {
		a = p
	}
	return a
}

// commentsAbove returns the comment directly above a (nothing but
// whitespace and one line break between them) that sits on its own line,
// with, for line comments, the run of line comments directly above it.
func (e *extractor) commentsAbove(a *sitter.Node) []span {
	start := a.StartByte()
	i := sort.Search(len(e.comments), func(i int) bool { return e.comments[i].start >= start }) - 1
	if i < 0 {
		return nil
	}
	c := e.comments[i]
	if c.end > start || !e.ownLine(c) || !adjacent(e.src[c.end:start]) {
		return nil
	}
	first := i
	if !strings.HasPrefix(string(e.src[c.start:c.end]), "/*") {
		for first > 0 {
			p := e.comments[first-1]
			if !e.nextLine(p, e.comments[first]) || !e.ownLine(p) || strings.HasPrefix(string(e.src[p.start:p.end]), "/*") {
				break
			}
			first--
		}
	}
	return e.comments[first : i+1]
}

// nextLine reports whether comment c starts on the line after the one
// comment p ends on (a newline that ends p belongs to p's line). Rows come
// from the bytes, which costs less than asking tree-sitter for every comment.
func (e *extractor) nextLine(p, c span) bool {
	end := p.end
	if end > p.start && e.src[end-1] == '\n' {
		end--
	}
	return bytes.Count(e.src[end:c.start], newline) == 1
}

var newline = []byte{'\n'}

// adjacent reports whether the text between a comment and a definition is
// only whitespace with at most one line break: no code, no blank line.
func adjacent(between []byte) bool {
	breaks := 0
	for _, b := range between {
		switch b {
		case '\n':
			breaks++
		case ' ', '\t', '\r':
		default:
			return false
		}
	}
	return breaks <= 1
}

// ownLine reports whether only whitespace precedes the comment on its line,
// so a trailing comment of the line above is not taken for documentation.
func (e *extractor) ownLine(c span) bool {
	for k := int(c.start) - 1; k >= 0; k-- {
		switch e.src[k] {
		case '\n':
			return true
		case ' ', '\t', '\r':
		default:
			return false
		}
	}
	return true
}

// cleanLines strips the comment markers of a run of line comments, keeping
// only the trailing lines that have the wanted form (e.g. /// not //).
func cleanLines(texts []string, marker string, keep func(string) bool) string {
	k := len(texts)
	for k > 0 && keep(strings.TrimSpace(texts[k-1])) {
		k--
	}
	var lines []string
	for _, t := range texts[k:] {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, marker)
		t = strings.TrimLeft(t, marker[:1])
		t = strings.TrimPrefix(t, " ")
		lines = append(lines, strings.TrimRight(t, " \t\r"))
	}
	return tidy(lines)
}

// cleanBlock strips /** */ or /* */ and the leading stars of each line.
func cleanBlock(t string) string {
	t = strings.TrimPrefix(t, "/*")
	t = strings.TrimLeft(t, "*!")
	t = strings.TrimSuffix(t, "*/")
	lines := strings.Split(t, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "*") {
			l = strings.TrimPrefix(strings.TrimPrefix(l, "*"), " ")
		}
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return tidy(lines)
}

// tidy drops XML summary tags (C#) and blank lines at both ends.
func tidy(lines []string) string {
	s := strings.Join(lines, "\n")
	s = strings.ReplaceAll(s, "<summary>", "")
	s = strings.ReplaceAll(s, "</summary>", "")
	return strings.TrimSpace(s)
}

// pythonDocstring is the string literal that opens the body, cleaned the way
// Python's inspect.cleandoc does.
func pythonDocstring(body *sitter.Node, src []byte) string {
	if body == nil {
		return ""
	}
	var stmt *sitter.Node
	for i := 0; i < int(body.NamedChildCount()); i++ {
		if c := body.NamedChild(i); c.Type() != "comment" {
			stmt = c
			break
		}
	}
	if stmt == nil || stmt.Type() != "expression_statement" || stmt.NamedChildCount() != 1 {
		return ""
	}
	str := stmt.NamedChild(0)
	if str.Type() != "string" || str.ChildCount() < 2 {
		return ""
	}
	open, close := str.Child(0), str.Child(int(str.ChildCount())-1)
	if open.Type() != "string_start" || close.Type() != "string_end" {
		return ""
	}
	return cleandoc(string(src[open.EndByte():close.StartByte()]))
}

// cleandoc removes the common indentation of all lines but the first and
// blank lines at both ends.
func cleandoc(s string) string {
	s = strings.ReplaceAll(s, "\t", "        ")
	lines := strings.Split(s, "\n")
	indent := -1
	for _, l := range lines[1:] {
		if t := strings.TrimLeft(l, " "); t != "" {
			if d := len(l) - len(t); indent < 0 || d < indent {
				indent = d
			}
		}
	}
	lines[0] = strings.TrimLeft(lines[0], " ")
	for i := 1; i < len(lines); i++ {
		if indent > 0 && len(lines[i]) >= indent {
			lines[i] = lines[i][indent:]
		} else {
			lines[i] = strings.TrimLeft(lines[i], " ")
		}
		lines[i] = strings.TrimRight(lines[i], " \r")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}
