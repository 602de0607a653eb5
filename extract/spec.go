package extract

import (
	"fmt"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/codeloom/codeloom/extract/internal/treewalk"
)

// role is what extraction does with a node of a given grammar symbol. The
// tree walk acts on the first five; the others matter only to the Go code
// that looks at single nodes.
type role = treewalk.Role

const (
	roleNone      = treewalk.None
	roleFunction  = treewalk.Function  // a function, method or constructor definition
	roleContainer = treewalk.Container // a class, impl, trait, module...: its name qualifies the functions inside
	roleDecision  = treewalk.Decision  // a branch point: adds one to cyclomatic complexity
	roleBoolOp    = treewalk.BoolOp    // a binary expression: a branch point when its operator is &&, ||, and, or, ??
	roleComment   = treewalk.Comment   // a comment, candidate documentation
	roleWrapper   = roleComment + 1    // wraps a definition (export, decorators, templates): documentation sits above it
	roleAttribute = roleComment + 2    // an attribute or decorator written as a sibling before a definition
)

// docStyle is a language's convention for documentation comments.
type docStyle uint8

const (
	docPython     docStyle = iota // the first statement of the body is a string
	docLineRun                    // a run of line comments directly above (Go)
	docTripleRun                  // a run of /// comments or one /** */ block directly above (Rust, Swift, C#)
	docJavadoc                    // one /** */ block directly above (Java, JS, TS, PHP, Kotlin, Scala)
	docAnyComment                 // any comment run or block directly above (C, C++)
	docHashRun                    // a run of # comments directly above (Ruby)
)

// spec holds the extraction rules of one language. Node type names are those
// of the tree-sitter grammar; TestSpecNodeTypesExist checks each against it.
type spec struct {
	name       string
	extensions []string
	grammar    func() *sitter.Language

	functions    []string // function node types; a function without a body is a declaration and skipped
	optionalBody []string // function node types that are definitions even without a body node
	constructors []string // function node types that are always constructors
	containers   []string
	wrappers     []string
	attributes   []string
	decisions    []string
	boolOps      []string
	comments     []string
	doc          docStyle

	// funcName returns a function's bare name and, when the definition itself
	// says what it belongs to (a Go receiver, C++ Foo::bar), that qualifier.
	// An empty name means the function is anonymous and not extracted.
	funcName func(n, parent *sitter.Node, src []byte) (name, qualifier string)
	// containerName names a class-like node; nil means its "name" field.
	containerName func(n *sitter.Node, src []byte) string
	// body finds a function's body; nil means its "body" field.
	body func(n *sitter.Node) *sitter.Node
	// isConstructor tells constructors by name inside a container.
	isConstructor func(name, container string) bool
}

// roles indexes by grammar symbol what extraction does with each node
// type the spec names. Several symbols can share a name (aliases), so every
// symbol is looked at. A type named in two groups is an error: a node has
// one role.
func (s *spec) roles(g *sitter.Language) ([]role, error) {
	byName := map[string]role{}
	for _, group := range []struct {
		names []string
		r     role
	}{
		{s.functions, roleFunction}, {s.optionalBody, roleFunction}, {s.constructors, roleFunction},
		{s.containers, roleContainer}, {s.decisions, roleDecision}, {s.boolOps, roleBoolOp},
		{s.comments, roleComment}, {s.wrappers, roleWrapper}, {s.attributes, roleAttribute},
	} {
		for _, n := range group.names {
			if r, ok := byName[n]; ok && r != group.r {
				return nil, fmt.Errorf("%s: node type %s has two roles", s.name, n)
			}
			byName[n] = group.r
		}
	}
	out := make([]role, g.SymbolCount())
	for i := range out {
		sym := sitter.Symbol(i)
		if g.SymbolType(sym) != sitter.SymbolTypeRegular {
			continue
		}
		out[i] = byName[g.SymbolName(sym)]
	}
	return out, nil
}

// nodeTypes lists every node type the spec names, for the grammar check.
func (s *spec) nodeTypes() []string {
	var out []string
	for _, g := range [][]string{s.functions, s.optionalBody, s.constructors, s.containers, s.wrappers,
		s.attributes, s.decisions, s.boolOps, s.comments} {
		out = append(out, g...)
	}
	return out
}
