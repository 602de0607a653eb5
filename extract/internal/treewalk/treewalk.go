// Package treewalk finds, in one pass in C over a tree-sitter syntax tree,
// the nodes that function extraction needs: functions, class-like
// containers and comments, with the branch points of each function counted
// on the way. It also gives a node's children and field children in one
// call each (Children, Field, FieldText).
//
// A tree-sitter query can find the same nodes, but its matcher visits every
// node at a cost of about 40% of the parse, and each capture crossing into
// Go is a cgo call; the binding's node calls cache every node in a map, and
// tree-sitter finds a node's parent or siblings by descending from the
// root. The walk reads the tree's subtrees directly, through the runtime's
// internal headers (the .treesitter link that `make setup` creates), costs
// under a tenth of the parse and crosses into C once per tree.
//
// It is the one place outside bindings/ with cgo: the binding has no
// lower-level traversal to build it from. It relies on layouts of the
// pinned binding version: sitter.Node's and Language's (their sizes checked
// at init, their fields by the tests), and the runtime's subtrees (checked
// by the tests against the binding's own traversal).
package treewalk

/*
#cgo CPPFLAGS: -I${SRCDIR}/../../../.treesitter
#include <stdlib.h>
#include "walk.h"
*/
import "C"

import (
	"runtime"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// Role is what the walk does with nodes of a grammar symbol.
type Role uint8

// Roles. Values past Comment are the caller's own and treated as None.
const (
	None      Role = C.CL_TW_NONE
	Function  Role = C.CL_TW_FUNCTION  // reported; branches inside count for it
	Container Role = C.CL_TW_CONTAINER // reported; branches inside count for nothing
	Decision  Role = C.CL_TW_DECISION  // adds a branch to the innermost function
	BoolOp    Role = C.CL_TW_BOOL_OP   // a Decision when its operator field is &&, ||, and, or, ??
	Comment   Role = C.CL_TW_COMMENT   // reported
)

// Event is one reported node.
type Event C.cl_tw_event

// node is the layout of sitter.Node: the C node, then the tree that keeps
// it alive. The binding makes Nodes only from its own traversal calls, so
// Event.Node builds one in place; init checks the size still matches.
type node struct {
	c C.TSNode
	t *sitter.Tree
}

// language is the layout of sitter.Language: the C grammar.
type language struct{ ptr unsafe.Pointer }

func init() {
	if unsafe.Sizeof(language{}) != unsafe.Sizeof(sitter.Language{}) {
		panic("treewalk: sitter.Language layout changed; update the language type")
	}
	if unsafe.Sizeof(node{}) != unsafe.Sizeof(sitter.Node{}) {
		panic("treewalk: sitter.Node layout changed; update the node type")
	}
	if unsafe.Sizeof(Event{}.node) != unsafe.Sizeof(C.TSNode{}) || unsafe.Sizeof(Child{}.node) != unsafe.Sizeof(C.TSNode{}) {
		panic("treewalk: event node storage does not fit a TSNode")
	}
}

// Table is what the walk does with the nodes of one grammar: the roles by
// the grammar's internal symbols, made once so that each walk neither maps
// every node's symbol nor builds the table again.
type Table struct{ c *C.cl_tw_table }

// NewTable makes g's table from roles, indexed by grammar symbol
// (sitter.Node.Symbol); symbols past its end have no role.
func NewTable(g *sitter.Language, roles []Role) *Table {
	var rolesPtr *C.uint8_t
	if len(roles) > 0 {
		rolesPtr = (*C.uint8_t)(unsafe.Pointer(&roles[0]))
	}
	lang := (*C.TSLanguage)((*language)(unsafe.Pointer(g)).ptr)
	c := C.cl_tw_table_new(lang, rolesPtr, C.uint32_t(len(roles)))
	if c == nil {
		panic("treewalk: out of memory") // as Go itself does when an allocation fails
	}
	t := &Table{c: c}
	runtime.AddCleanup(t, func(c *C.cl_tw_table) { C.free(unsafe.Pointer(c)) }, c)
	return t
}

// Walker reports nodes of syntax trees, reusing its buffers from tree to
// tree. It is not safe for concurrent use.
type Walker struct {
	buf  []Event
	kids []Child
}

// maxKept bounds the buffer a Walker keeps between trees, so one huge file
// does not pin its events for the rest of the run.
const maxKept = 1 << 16

// Walk returns the reported nodes under root in source order; t must be the
// table of root's grammar, and src the parsed source. The events are valid
// until the next Walk and while root's tree is open.
func (w *Walker) Walk(root *sitter.Node, t *Table, src []byte) []Event {
	if len(w.buf) == 0 || len(w.buf) > maxKept {
		w.buf = make([]Event, 1024)
	}
	c := (*node)(unsafe.Pointer(root)).c
	var srcPtr *C.char
	if len(src) > 0 {
		srcPtr = (*C.char)(unsafe.Pointer(&src[0]))
	}
	for {
		n := C.cl_tw_walk(c, t.c, srcPtr, C.uint32_t(len(src)), (*C.cl_tw_event)(unsafe.Pointer(&w.buf[0])), C.size_t(len(w.buf)))
		runtime.KeepAlive(t)
		checkCount(n)
		if int(n) <= len(w.buf) {
			return w.buf[:n]
		}
		w.buf = make([]Event, int(n))
	}
}

// checkCount panics on the walk's failure codes.
func checkCount(n C.size_t) {
	switch n {
	case C.CL_TW_OUT_OF_MEMORY:
		panic("treewalk: out of memory") // as Go itself does when an allocation fails
	case C.CL_TW_WRONG_LANGUAGE:
		panic("treewalk: the table is another grammar's")
	}
}

// Node is the event's syntax node, in the tree of root (the node given to
// Walk).
func (e *Event) Node(root *sitter.Node) *sitter.Node { return makeNode(&e.node, root) }

// ParentNode is the node's parent, as sitter.Node.Parent gives it but
// without tree-sitter's search from the root; nil for the root and for
// Comment events.
func (e *Event) ParentNode(root *sitter.Node) *sitter.Node {
	if (*C.TSNode)(unsafe.Pointer(&e.parent_node)).id == nil {
		return nil
	}
	return makeNode(&e.parent_node, root)
}

// makeNode turns the words of a stored TSNode into a node of the tree that
// of belongs to.
func makeNode(words *[len(Event{}.node)]C.uint64_t, of *sitter.Node) *sitter.Node {
	c := *(*C.TSNode)(unsafe.Pointer(words))
	return (*sitter.Node)(unsafe.Pointer(&node{c: c, t: (*node)(unsafe.Pointer(of)).t}))
}

// Role is Function, Container or Comment.
func (e *Event) Role() Role { return Role(e.role) }

// Symbol is the node's grammar symbol.
func (e *Event) Symbol() sitter.Symbol { return sitter.Symbol(e.symbol) }

// StartByte and EndByte are the node's byte range in the source.
func (e *Event) StartByte() uint32 { return uint32(e.start_byte) }

// EndByte is where the node ends (exclusive).
func (e *Event) EndByte() uint32 { return uint32(e.end_byte) }

// StartPoint is the node's start row and column (bytes), from 0.
func (e *Event) StartPoint() sitter.Point {
	return sitter.Point{Row: uint32(e.start.row), Column: uint32(e.start.column)}
}

// EndPoint is the row and column just past the node.
func (e *Event) EndPoint() sitter.Point {
	return sitter.Point{Row: uint32(e.end.row), Column: uint32(e.end.column)}
}

// Parent is the index of the innermost Function or Container event around
// this one, or -1.
func (e *Event) Parent() int { return int(e.parent) }

// Decisions counts the Decision nodes (and short-circuit BoolOps) inside a
// Function or Container event, not counting those inside nested ones.
func (e *Event) Decisions() int { return int(e.decisions) }

// HasError tells whether a Function or Container holds ERROR or MISSING
// nodes.
func (e *Event) HasError() bool { return e.has_error != 0 }

// Child is one child of a node, as Children reports it.
type Child C.cl_tw_child

// Children returns the first limit children of n (all for limit <= 0), named
// and anonymous, in order. They are valid until the next call and while
// n's tree is open.
func (w *Walker) Children(n *sitter.Node, limit int) []Child {
	if len(w.kids) == 0 {
		w.kids = make([]Child, 16)
	}
	c := (*node)(unsafe.Pointer(n)).c
	for {
		k := C.cl_tw_children(c, C.size_t(max(limit, 0)), (*C.cl_tw_child)(unsafe.Pointer(&w.kids[0])), C.size_t(len(w.kids)))
		checkCount(k)
		if int(k) <= len(w.kids) {
			return w.kids[:k]
		}
		w.kids = make([]Child, int(k))
	}
}

// Node is the child's syntax node; parent is the node given to Children.
func (c *Child) Node(parent *sitter.Node) *sitter.Node { return makeNode(&c.node, parent) }

// Symbol is the child's grammar symbol.
func (c *Child) Symbol() sitter.Symbol { return sitter.Symbol(c.symbol) }

// StartByte is where the child starts in the source.
func (c *Child) StartByte() uint32 { return uint32(c.start_byte) }

// EndByte is where the child ends (exclusive).
func (c *Child) EndByte() uint32 { return uint32(c.end_byte) }

// Named tells named nodes from anonymous tokens.
func (c *Child) Named() bool { return c.named != 0 }

// Field is n's child in the named field, as sitter.Node.ChildByFieldName
// gives it but without copying the name into C memory; nil when absent.
func Field(n *sitter.Node, name string) *sitter.Node {
	f := field(n, name)
	if f.found == 0 {
		return nil
	}
	return makeNode(&f.node, n)
}

// FieldText is the source text of n's child in the named field, "" when
// absent: Field and Content in one call into C.
func FieldText(n *sitter.Node, name string, src []byte) string {
	f := field(n, name)
	if f.found == 0 || int(f.end_byte) > len(src) || f.start_byte > f.end_byte {
		return ""
	}
	return string(src[f.start_byte:f.end_byte])
}

func field(n *sitter.Node, name string) C.cl_tw_field_child {
	if name == "" {
		return C.cl_tw_field_child{}
	}
	c := (*node)(unsafe.Pointer(n)).c
	return C.cl_tw_field(c, (*C.char)(unsafe.Pointer(unsafe.StringData(name))), C.uint32_t(len(name)))
}
