package extract

import (
	"bytes"

	sitter "github.com/smacker/go-tree-sitter"
)

// A function whose body is only one of these statements does nothing but
// pass or fail, and carries no code worth learning from. emptyStatements
// must be the whole statement; failStatements start it.
var (
	emptyStatements = []string{"pass", "...", "???", "return", "return nil", "return None"}
	failStatements  = []string{"raise", "throw", "panic", "todo!", "unimplemented!", "unreachable!", "TODO", "fatalError", "NotImplementedError"}
)

// trivial reports whether a body is empty or holds a single statement that
// only passes, returns nothing or raises (docstrings and comments aside).
func (e *extractor) trivial(body *sitter.Node) bool {
	if body == nil {
		return true
	}
	// Three statements are enough to tell: a docstring, then one more.
	stmts := e.statements(body, 3)
	if len(stmts) > 0 && e.lang.spec.doc == docPython && pythonDocstring(body, e.src) != "" {
		stmts = stmts[1:]
	}
	switch len(stmts) {
	case 0:
		return true
	case 1:
		// The statement's bytes, not a copy: when it is a nested function,
		// copying it for every function around it costs the square of the
		// nesting.
		return isTrivialStatement(e.src[stmts[0].StartByte():stmts[0].EndByte()])
	}
	return false
}

// statements lists up to limit statements of a block body, or the body
// itself when it is a single expression (`=> x`, `= x`).
func (e *extractor) statements(body *sitter.Node, limit int) []*sitter.Node {
	// The first byte tells a block from an expression without copying the body.
	first := byte(0)
	if start := body.StartByte(); start < body.EndByte() {
		first = e.src[start]
	}
	if typ := body.Type(); first != '{' && first != '=' && typ != "block" && typ != "body_statement" {
		return []*sitter.Node{body}
	}
	// A block opens with a brace and a few statements: read its first
	// children, and all of them only when those were not enough.
	for read := 2*limit + 2; ; read = 0 {
		kids := e.w.Children(body, read)
		var out []*sitter.Node
		for _, c := range kids {
			if len(out) == limit {
				break
			}
			if !c.Named() || e.lang.symbolRole(c.Symbol()) == roleComment {
				continue
			}
			if e.lang.typeName(c.Symbol()) == "statements" {
				return e.statements(c.Node(body), limit)
			}
			out = append(out, c.Node(body))
		}
		if len(out) == limit || read == 0 || len(kids) < read {
			return out
		}
	}
}

func isTrivialStatement(s []byte) bool {
	s = bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(s), []byte("=>")))
	s = bytes.TrimSpace(bytes.TrimPrefix(s, []byte("=")))
	s = bytes.TrimSuffix(s, []byte(";"))
	for _, p := range emptyStatements {
		if string(s) == p {
			return true
		}
	}
	for _, p := range failStatements {
		if !bytes.HasPrefix(s, []byte(p)) {
			continue
		}
		rest := s[len(p):]
		if len(rest) == 0 || !isIdentByte(rest[0]) {
			return true
		}
	}
	return false
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
