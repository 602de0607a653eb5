package extract

import (
	"bytes"
	"slices"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/extract/internal/treewalk"
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

// extractor builds the functions of one syntax tree from the nodes the
// tree walk reports, in source order.
type extractor struct {
	lang     *Language
	src      []byte
	w        *treewalk.Walker
	root     *sitter.Node
	events   []treewalk.Event
	scopes   []scope // by event index; only function and container events have one
	comments []span
	out      []Function
	tooDeep  int // functions left out for their nesting (see maxNesting)
}

// maxNesting is how many functions and classes deep a function may sit and
// still be extracted. Each record holds the text of the functions inside
// it, so a file of n nested functions gave records of n²/2 lines: 12,000
// of them in a 265 KB file took 3.4 GB and 38 s. Past this depth a
// function is counted (RemovedTooDeep) but not built, which bounds the
// records of a file to maxNesting times its size; real code nests a
// handful deep, callback chains a few dozen.
const maxNesting = 64

// RemovedTooDeep is the key of Counts.Removed for functions nested deeper
// than extraction goes.
const RemovedTooDeep = "nested_too_deep"

// scope is what a function or container event means for the nodes inside
// it. A function that is not extracted (anonymous, or a declaration) is no
// scope of its own: up and fn point past it to the scope around it.
type scope struct {
	name      string
	container bool
	fn        int // index into out of the function, -1 for a container or no function
	up        int // event index of the scope around this one, -1 at top level
	depth     int // functions and containers around this one, itself included
}

// span is a comment's position in bytes.
type span struct{ start, end uint32 }

// functions returns every function of the tree in source order, nested
// functions included as their own entries, and how many it left out for
// their nesting (maxNesting). The walk reports functions, containers and
// comments with their nesting and the branch count of each function; only
// the functions cross into the binding again, for names, bodies and
// documentation.
func functions(lang *Language, w *treewalk.Walker, root *sitter.Node, src []byte) ([]Function, int) {
	e := &extractor{lang: lang, src: src, w: w, root: root, events: w.Walk(root, lang.walk, src)}
	e.scopes = make([]scope, len(e.events))
	functionEvents := 0
	for i := range e.events {
		if e.events[i].Role() == roleFunction {
			functionEvents++
		}
	}
	e.out = make([]Function, 0, functionEvents)
	for i := range e.events {
		ev := &e.events[i]
		switch ev.Role() {
		case roleComment:
			e.comments = append(e.comments, span{start: ev.StartByte(), end: ev.EndByte()})
		case roleContainer:
			n := ev.Node(root)
			name := defaultContainerName(n, src)
			if lang.spec.containerName != nil {
				name = lang.spec.containerName(n, src)
			}
			e.scopes[i] = scope{name: stripGenerics(name), container: true, fn: -1, up: e.around(ev), depth: e.depth(ev)}
		case roleFunction:
			e.scopes[i] = e.function(ev)
		}
	}
	return e.out, e.tooDeep
}

// depth is how many function and container events enclose ev, itself
// included; those not extracted count too, so that nothing nests without
// bound under anonymous functions.
func (e *extractor) depth(ev *treewalk.Event) int {
	if p := ev.Parent(); p >= 0 {
		return e.scopes[p].depth + 1
	}
	return 1
}

// around is the event index of the scope an event sits in, or -1.
func (e *extractor) around(ev *treewalk.Event) int {
	p := ev.Parent()
	if p >= 0 && e.scopes[p].fn < 0 && !e.scopes[p].container {
		return e.scopes[p].up // a function not extracted: look past it
	}
	return p
}

func defaultContainerName(n *sitter.Node, src []byte) string {
	return treewalk.FieldText(n, "name", src)
}

// function extracts the function of event ev when it has a name and a body,
// and returns the scope it makes. Otherwise its branches count for the
// function around it, unless a class body lies in between. One nested
// deeper than maxNesting is counted in tooDeep and left out likewise.
func (e *extractor) function(ev *treewalk.Event) scope {
	up, depth := e.around(ev), e.depth(ev)
	d, ok := e.declaration(ev)
	if ok && depth > maxNesting {
		e.tooDeep++
		ok = false
	}
	if !ok {
		if up >= 0 && e.scopes[up].fn >= 0 {
			e.out[e.scopes[up].fn].Complexity += ev.Decisions()
		}
		return scope{fn: -1, up: up, depth: depth}
	}
	e.out = append(e.out, e.build(ev, &d, up))
	return scope{name: d.name, fn: len(e.out) - 1, up: up, depth: depth}
}

// declaration is what tells whether a function event is extracted: its
// name, and its body when it has one.
type declaration struct {
	n, parent, body *sitter.Node
	typ             string
	name, qualifier string
}

// declaration reads a function event's name and body; ok is false for
// anonymous functions and declarations without a body.
func (e *extractor) declaration(ev *treewalk.Event) (d declaration, ok bool) {
	s := e.lang.spec
	d.n = ev.Node(e.root)
	d.typ = e.lang.typeName(ev.Symbol())
	d.parent = ev.ParentNode(e.root)
	nameOf := s.funcName
	if nameOf == nil {
		nameOf = defaultName
	}
	d.name, d.qualifier = nameOf(d.n, d.parent, e.src)
	if d.name == "" {
		return d, false
	}
	d.body = treewalk.Field(d.n, "body")
	if s.body != nil {
		d.body = s.body(d.n)
	}
	return d, d.body != nil || slices.Contains(s.optionalBody, d.typ)
}

// build makes the entry for the function of event ev, declared d, inside
// scope up.
func (e *extractor) build(ev *treewalk.Event, d *declaration, up int) Function {
	n, parent, body, name, qualifier := d.n, d.parent, d.body, d.name, d.qualifier

	var quals []string
	for k := up; k >= 0; k = e.scopes[k].up {
		if e.scopes[k].name != "" {
			quals = append(quals, e.scopes[k].name)
		}
	}
	slices.Reverse(quals)
	if qualifier != "" {
		quals = append(quals, qualifier)
	}
	start, end := ev.StartPoint(), ev.EndPoint()
	endRow := end.Row
	if end.Column == 0 && endRow > start.Row {
		endRow--
	}
	f := Function{Record: dataset.Record{
		Language:      e.lang.Name,
		Name:          name,
		QualifiedName: strings.Join(append(quals, name), "."),
		Kind:          e.kind(d.typ, name, qualifier, up),
		Signature:     e.signature(n, body),
		Docstring:     e.docstring(n, parent, body),
		Code:          dedent(string(e.src[ev.StartByte():ev.EndByte()]), e.indentation(ev.StartByte()-start.Column)),
		StartLine:     int(start.Row) + 1,
		EndLine:       int(endRow) + 1,
		Complexity:    1 + ev.Decisions(),
	}}
	f.Facts.SyntaxError = ev.HasError()
	f.Facts.Trivial = e.trivial(body)
	return f
}

// kind tells functions, methods and constructors apart by the node type,
// the enclosing scope up and the language's constructor naming.
func (e *extractor) kind(typ, name, qualifier string, up int) string {
	s := e.lang.spec
	if slices.Contains(s.constructors, typ) {
		return KindConstructor
	}
	owner := qualifier
	if owner == "" {
		if up < 0 || !e.scopes[up].container {
			return KindFunction
		}
		owner = e.scopes[up].name
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
		// End at the last child before the body that is not a comment, so
		// a comment between the header and the body stays out.
		bodyStart, end := body.StartByte(), start
		for _, c := range e.w.Children(n, 0) {
			if c.StartByte() >= bodyStart {
				break
			}
			if e.lang.symbolRole(c.Symbol()) != roleComment {
				end = c.EndByte()
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
