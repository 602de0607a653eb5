package extract

import (
	"bytes"
	"slices"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/codeloom/codeloom/dataset"
)

// Function is one extracted definition: the record fields that come from the
// source file, and the facts about it that only the syntax tree knows.
type Function struct {
	dataset.Record
	Facts dataset.Facts
}

// Record kinds.
const (
	KindFunction    = "function"
	KindMethod      = "method"
	KindConstructor = "constructor"
)

// extractor collects the functions of one syntax tree from the nodes a
// query finds, in source order.
type extractor struct {
	lang     *Language
	src      []byte
	scopes   []scope
	comments []span
	out      []Function
}

// scope is an open class-like node or function around the current node.
type scope struct {
	end       uint32 // end byte: the scope is closed at the first node past it
	name      string
	container bool
	fn        int // index into out for functions, -1 for containers
}

// span is a comment's position in bytes.
type span struct{ start, end uint32 }

// functions returns every function of the tree in source order, nested
// functions included as their own entries. The language's query picks the
// few nodes that matter (functions, classes, branches, comments) inside
// tree-sitter, so only those cross into Go; nesting follows from byte
// ranges, since captures arrive ordered by position.
func functions(lang *Language, qc *sitter.QueryCursor, root *sitter.Node, src []byte) []Function {
	e := &extractor{lang: lang, src: src}
	query, roles := lang.queries()
	qc.Exec(query, root)
	for {
		m, i, ok := qc.NextCapture()
		if !ok {
			return e.out
		}
		c := m.Captures[i]
		e.visit(c.Node, roles[c.Index])
	}
}

func (e *extractor) visit(n *sitter.Node, r role) {
	start := n.StartByte()
	for len(e.scopes) > 0 && e.scopes[len(e.scopes)-1].end <= start {
		e.scopes = e.scopes[:len(e.scopes)-1]
	}
	switch r {
	case roleComment:
		e.comments = append(e.comments, span{start: start, end: n.EndByte()})
	case roleDecision:
		e.branch()
	case roleBoolOp:
		if op := n.ChildByFieldName("operator"); op != nil && boolOperators[op.Content(e.src)] {
			e.branch()
		}
	case roleContainer:
		name := defaultContainerName(n, e.src)
		if e.lang.spec.containerName != nil {
			name = e.lang.spec.containerName(n, e.src)
		}
		e.scopes = append(e.scopes, scope{end: n.EndByte(), name: stripGenerics(name), container: true, fn: -1})
	case roleFunction:
		if f, ok := e.function(n); ok {
			e.out = append(e.out, f)
			e.scopes = append(e.scopes, scope{end: n.EndByte(), name: f.Name, fn: len(e.out) - 1})
		}
	}
}

func defaultContainerName(n *sitter.Node, src []byte) string { return fieldText(n, "name", src) }

// branch counts a decision point for the innermost function, unless a class
// body lies in between.
func (e *extractor) branch() {
	if k := len(e.scopes); k > 0 && e.scopes[k-1].fn >= 0 {
		e.out[e.scopes[k-1].fn].Complexity++
	}
}

// function builds the entry for a function node; ok is false for anonymous
// functions and declarations without a body.
func (e *extractor) function(n *sitter.Node) (Function, bool) {
	s := e.lang.spec
	typ := n.Type()
	parent := n.Parent()
	nameOf := s.funcName
	if nameOf == nil {
		nameOf = defaultName
	}
	name, qualifier := nameOf(n, parent, e.src)
	if name == "" {
		return Function{}, false
	}
	body := n.ChildByFieldName("body")
	if s.body != nil {
		body = s.body(n)
	}
	if body == nil && !slices.Contains(s.optionalBody, typ) {
		return Function{}, false
	}

	var quals []string
	for _, sc := range e.scopes {
		if sc.name != "" {
			quals = append(quals, sc.name)
		}
	}
	if qualifier != "" {
		quals = append(quals, qualifier)
	}
	start, end := n.StartPoint(), n.EndPoint()
	endRow := end.Row
	if end.Column == 0 && endRow > start.Row {
		endRow--
	}
	f := Function{Record: dataset.Record{
		Language:      e.lang.Name,
		Name:          name,
		QualifiedName: strings.Join(append(quals, name), "."),
		Kind:          e.kind(typ, name, qualifier),
		Signature:     e.signature(n, body),
		Docstring:     e.docstring(n, parent, body),
		Code:          dedent(n.Content(e.src), e.indentation(n.StartByte()-start.Column)),
		StartLine:     int(start.Row) + 1,
		EndLine:       int(endRow) + 1,
		Complexity:    1,
	}}
	f.Facts.SyntaxError = n.HasError()
	f.Facts.Trivial = e.trivial(body)
	return f, true
}

// kind tells functions, methods and constructors apart by the node type,
// the enclosing scope and the language's constructor naming.
func (e *extractor) kind(typ, name, qualifier string) string {
	s := e.lang.spec
	if slices.Contains(s.constructors, typ) {
		return KindConstructor
	}
	owner := qualifier
	if owner == "" {
		k := len(e.scopes)
		if k == 0 || !e.scopes[k-1].container {
			return KindFunction
		}
		owner = e.scopes[k-1].name
	}
	if i := strings.LastIndexByte(owner, '.'); i >= 0 {
		owner = owner[i+1:]
	}
	if s.isConstructor != nil && s.isConstructor(name, owner) {
		return KindConstructor
	}
	return KindMethod
}

// signature is the declaration up to the body (without a trailing = or {),
// whitespace collapsed; the first line when there is no body.
func (e *extractor) signature(n, body *sitter.Node) string {
	var text []byte
	if start := n.StartByte(); body != nil && body.StartByte() > start {
		// End at the last token before the body that is not a comment, so
		// a comment between the header and the body stays out. The body is
		// a child of n: walking back from it takes fewer calls into
		// tree-sitter than walking n's children from the first.
		bodyStart, end := body.StartByte(), start
		for c := body.PrevSibling(); c != nil; c = c.PrevSibling() {
			if c.StartByte() < bodyStart && e.lang.role(c) != roleComment {
				end = c.EndByte()
				break
			}
		}
		text = e.src[start:end]
	} else {
		text = e.src[start:n.EndByte()]
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			text = text[:i]
		}
	}
	return strings.TrimRight(collapseSpace(text), " ={")
}

// collapseSpace joins the words of text with single spaces.
func collapseSpace(text []byte) string {
	var b strings.Builder
	b.Grow(len(text))
	for _, w := range bytes.Fields(text) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(w)
	}
	return b.String()
}

// indentation is the width of the whitespace that starts the line at
// byte lineStart.
func (e *extractor) indentation(lineStart uint32) int {
	k := int(lineStart)
	for k < len(e.src) && (e.src[k] == ' ' || e.src[k] == '\t') {
		k++
	}
	return k - int(lineStart)
}

// dedent removes the indentation of the line a function starts on (col
// bytes of whitespace) from its following lines, so a method reads as
// written at the left margin.
func dedent(code string, col int) string {
	if col == 0 || !strings.Contains(code, "\n") {
		return code
	}
	lines := strings.Split(code, "\n")
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		k := 0
		for k < col && k < len(l) && (l[k] == ' ' || l[k] == '\t') {
			k++
		}
		lines[i] = l[k:]
	}
	return strings.Join(lines, "\n")
}
