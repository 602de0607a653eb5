package treewalk

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/golang"
	"github.com/smacker/go-tree-sitter/python"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// rolesFor builds a role table from node type names, as extraction does.
func rolesFor(g *sitter.Language, byName map[string]Role) []Role {
	out := make([]Role, g.SymbolCount())
	for i := range out {
		if g.SymbolType(sitter.Symbol(i)) == sitter.SymbolTypeRegular {
			out[i] = byName[g.SymbolName(sitter.Symbol(i))]
		}
	}
	return out
}

var goRoles = map[string]Role{
	"function_declaration": Function, "method_declaration": Function, "func_literal": Function,
	"type_spec": Container, "if_statement": Decision, "for_statement": Decision,
	"expression_case": Decision, "binary_expression": BoolOp, "comment": Comment,
}

// callerRole is a value the walk must ignore (extraction uses such values
// for its own checks of single nodes).
const callerRole = Comment + 1

var pythonRoles = map[string]Role{
	"decorated_definition": callerRole, "function_definition": Function, "class_definition": Container, "if_statement": Decision,
	"for_statement": Decision, "boolean_operator": BoolOp, "comment": Comment,
}

// want is an event as the binding's own traversal sees it.
type want struct {
	role                 Role
	typ                  string
	start, end           uint32
	startPoint, endPoint sitter.Point
	parent, decisions    int
	hasError             bool
}

// reference walks the tree through the binding, one cgo call at a time: a
// slow but independent account of what Walk must report.
func reference(root *sitter.Node, roles []Role, src []byte) []want {
	var out []want
	var visit func(n *sitter.Node, scope int)
	visit = func(n *sitter.Node, scope int) {
		r := None
		if s := int(n.Symbol()); s < len(roles) {
			r = roles[s]
		}
		switch r {
		case Function, Container, Comment:
			out = append(out, want{role: r, typ: n.Type(), start: n.StartByte(), end: n.EndByte(),
				startPoint: n.StartPoint(), endPoint: n.EndPoint(), parent: scope, hasError: r != Comment && n.HasError()})
			if r != Comment {
				scope = len(out) - 1
			}
		case BoolOp:
			op := n.ChildByFieldName("operator")
			if op == nil || !strings.Contains(" && || and or ?? ", " "+op.Content(src)+" ") {
				break
			}
			fallthrough
		case Decision:
			if scope >= 0 {
				out[scope].decisions++
			}
		}
		for i := 0; i < int(n.ChildCount()); i++ {
			visit(n.Child(i), scope)
		}
	}
	visit(root, -1)
	return out
}

// got is what Walk reports for root.
func got(w *Walker, root *sitter.Node, table *Table, src []byte) []want {
	var out []want
	for _, e := range w.Walk(root, table, src) {
		n := e.Node(root)
		if n.StartByte() != e.StartByte() || n.EndByte() != e.EndByte() || n.Symbol() != e.Symbol() {
			panic(fmt.Sprintf("event node %s %d-%d does not match the event %d-%d", n.Type(), n.StartByte(), n.EndByte(), e.StartByte(), e.EndByte()))
		}
		if p, bp := e.ParentNode(root), n.Parent(); e.Role() == Comment && p != nil ||
			e.Role() != Comment && ((p == nil) != (bp == nil) || p != nil && !p.Equal(bp)) {
			panic(fmt.Sprintf("parent of %s at %d: %v, the binding says %v", n.Type(), n.StartByte(), p, bp))
		}
		out = append(out, want{role: e.Role(), typ: n.Type(), start: e.StartByte(), end: e.EndByte(),
			startPoint: e.StartPoint(), endPoint: e.EndPoint(), parent: e.Parent(), decisions: e.Decisions(), hasError: e.HasError()})
	}
	return out
}

func parse(t testing.TB, g *sitter.Language, src []byte) *sitter.Tree {
	p := sitter.NewParser()
	defer p.Close()
	p.SetLanguage(g)
	tree, err := p.ParseCtx(context.Background(), nil, src)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// compare checks the walk against reference on src.
func compare(t *testing.T, w *Walker, g *sitter.Language, byName map[string]Role, name string, src []byte) {
	t.Helper()
	roles := rolesFor(g, byName)
	tree := parse(t, g, src)
	defer tree.Close()
	exp := reference(tree.RootNode(), roles, src)
	have := got(w, tree.RootNode(), NewTable(g, roles), src)
	if len(exp) != len(have) {
		t.Fatalf("%s: %d events, want %d", name, len(have), len(exp))
	}
	for i := range exp {
		if exp[i] != have[i] {
			t.Fatalf("%s: event %d: got %+v, want %+v", name, i, have[i], exp[i])
		}
	}
}

// TestWalkMatchesBinding compares the walk with the binding's traversal on
// real Go files (nested literals, methods, comments, short-circuits).
func TestWalkMatchesBinding(t *testing.T) {
	var w Walker
	dir := filepath.Join(testfixture.GoRoot(t), "src", "net", "http")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) < 10 {
		t.Fatalf("Go sources under %s: %d files, %v", dir, len(files), err)
	}
	events := 0
	for _, f := range files[:40] {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		compare(t, &w, golang.GetLanguage(), goRoles, f, src)
		events += len(w.buf)
	}
	if events == 0 {
		t.Fatal("no events")
	}
}

// TestWalkPython covers word operators, classes, nesting, broken code and
// a zero-length file.
func TestWalkPython(t *testing.T) {
	var w Walker
	for name, src := range map[string]string{
		"nested":    "class A:\n    # note\n    def f(self, x):\n        def g():\n            if x and y or z:\n                pass\n        return [g() for _ in x if x]\n\ndef h():\n    if a: pass\n",
		"broken":    "def f(:\n    if x and\n",
		"empty":     "",
		"bitand":    "def f(a, b):\n    return a & b if a else b\n",
		"decorated": "@d\ndef f():\n    if a: pass\n@e\nclass C:\n    @staticmethod\n    def g(): pass\n",
	} {
		compare(t, &w, python.GetLanguage(), pythonRoles, name, []byte(src))
	}
}

// TestWalkGrowsBuffer gives more events than the first buffer holds.
func TestWalkGrowsBuffer(t *testing.T) {
	var b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&b, "// c%d\nfunc f%d() { if a && b { return } }\n", i, i)
	}
	var w Walker
	compare(t, &w, golang.GetLanguage(), goRoles, "many", []byte(b.String()))
	if len(w.buf) < 6000 {
		t.Fatalf("buffer of %d events for 6000", len(w.buf))
	}
}

// BenchmarkWalk is the walk alone over trees parsed beforehand: the cost
// extraction adds to parsing.
func BenchmarkWalk(b *testing.B) {
	dir := filepath.Join(testfixture.GoRoot(b), "src", "net", "http")
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var trees []*sitter.Tree
	var srcs [][]byte
	var total int64
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		trees = append(trees, parse(b, golang.GetLanguage(), src))
		srcs = append(srcs, src)
		total += int64(len(src))
	}
	table := NewTable(golang.GetLanguage(), rolesFor(golang.GetLanguage(), goRoles))
	var w Walker
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		for i, tree := range trees {
			w.Walk(tree.RootNode(), table, srcs[i])
		}
	}
}

// TestWalkDeepNesting walks a tree far deeper than the walk's first stack
// (a function made of 20,000 nested parentheses around a branch).
func TestWalkDeepNesting(t *testing.T) {
	const depth = 20000
	src := []byte("package p\n\nfunc f(a, b bool) bool {\n\treturn " + strings.Repeat("(", depth) + "a && b" +
		strings.Repeat(")", depth) + "\n}\n")
	var w Walker
	tree := parse(t, golang.GetLanguage(), src)
	defer tree.Close()
	events := w.Walk(tree.RootNode(), NewTable(golang.GetLanguage(), rolesFor(golang.GetLanguage(), goRoles)), src)
	if len(events) != 1 || events[0].Role() != Function || events[0].Decisions() != 1 {
		t.Fatalf("got %d events (want the function, with its one branch)", len(events))
	}
}

// TestChildrenManyStatements lists the statements of a block long enough
// that tree-sitter nests them in hidden repetition nodes deeper than
// Children's first stack.
func TestChildrenManyStatements(t *testing.T) {
	const n = 70000
	src := []byte("package p\n\nfunc f() {\n" + strings.Repeat("\tx++\n", n) + "}\n")
	tree := parse(t, golang.GetLanguage(), src)
	defer tree.Close()
	body := tree.RootNode().NamedChild(1).ChildByFieldName("body")
	var w Walker
	kids := w.Children(body, 0)
	if len(kids) != int(body.ChildCount()) || len(kids) < n {
		t.Fatalf("%d children, the binding has %d", len(kids), body.ChildCount())
	}
	for _, i := range []int{0, 1, n / 2, len(kids) - 2, len(kids) - 1} {
		if c := body.Child(i); !kids[i].Node(body).Equal(c) || kids[i].StartByte() != c.StartByte() {
			t.Fatalf("child %d differs from the binding's %s at %d", i, c.Type(), c.StartByte())
		}
	}
}

// TestWalkWrongTable refuses a table made for another grammar, whose
// symbols would be read as the tree's.
func TestWalkWrongTable(t *testing.T) {
	src := []byte("package p\n\nfunc f() {}\n")
	tree := parse(t, golang.GetLanguage(), src)
	defer tree.Close()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "another grammar") {
			t.Fatalf("walk with a Python table over a Go tree: recovered %v", r)
		}
	}()
	var w Walker
	w.Walk(tree.RootNode(), NewTable(python.GetLanguage(), rolesFor(python.GetLanguage(), pythonRoles)), src)
}
