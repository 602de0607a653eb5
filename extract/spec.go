package extract

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// role is what the tree walk does with a node of a given grammar symbol.
type role uint8

const (
	roleNone      role = iota
	roleFunction       // a function, method or constructor definition
	roleContainer      // a class, impl, trait, module...: its name qualifies the functions inside
	roleDecision       // a branch point: adds one to cyclomatic complexity
	roleBoolOp         // a binary expression: a branch point when its operator is one of boolOperators
	roleComment        // a comment, candidate documentation
	roleWrapper        // wraps a definition (export, decorators, templates): documentation sits above it
	roleAttribute      // an attribute or decorator written as a sibling before a definition
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

// boolOperators are the operators that make a roleBoolOp node a branch.
var boolOperators = map[string]bool{"&&": true, "||": true, "and": true, "or": true, "??": true}

// roles indexes by grammar symbol the node types that single nodes are
// checked against (the query finds the rest). Several symbols can share a
// name (aliases), so every symbol is looked at.
func (s *spec) roles(g *sitter.Language) []role {
	byName := map[string]role{}
	for _, group := range []struct {
		names []string
		r     role
	}{
		{s.wrappers, roleWrapper}, {s.attributes, roleAttribute}, {s.comments, roleComment},
	} {
		for _, n := range group.names {
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
	return out
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
