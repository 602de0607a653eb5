package extract

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/codeloom/codeloom/extract/internal/treewalk"
)

// defaultName reads the "name" field, the convention of most grammars.
func defaultName(n, _ *sitter.Node, src []byte) (string, string) {
	return treewalk.FieldText(n, "name", src), ""
}

// stripGenerics turns "Server[T]", "Foo<T>" or "*Foo" into the bare type name.
func stripGenerics(s string) string {
	s = strings.TrimLeft(strings.TrimSpace(s), "*&")
	if i := strings.IndexAny(s, "<["); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func nameIs(want string) func(name, container string) bool {
	return func(name, _ string) bool { return name == want }
}

func childOfType(typ string) func(n *sitter.Node) *sitter.Node {
	return func(n *sitter.Node) *sitter.Node {
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); c.Type() == typ {
				return c
			}
		}
		return nil
	}
}

// jsName names declarations directly and function expressions by what they
// are assigned to: `const f = () => {}`, `obj.f = function() {}`, `{f: ...}`.
func jsName(n, parent *sitter.Node, src []byte) (string, string) {
	if name := treewalk.FieldText(n, "name", src); name != "" {
		return name, ""
	}
	if parent == nil {
		return "", ""
	}
	switch parent.Type() {
	case "variable_declarator":
		return treewalk.FieldText(parent, "name", src), ""
	case "assignment_expression":
		left := treewalk.Field(parent, "left")
		if left != nil && left.Type() == "member_expression" {
			return treewalk.FieldText(left, "property", src), stripGenerics(treewalk.FieldText(left, "object", src))
		}
		if left != nil {
			return left.Content(src), ""
		}
	case "pair":
		return treewalk.FieldText(parent, "key", src), ""
	case "public_field_definition", "field_definition":
		if name := treewalk.FieldText(parent, "name", src); name != "" {
			return name, ""
		}
		return treewalk.FieldText(parent, "property", src), ""
	}
	return "", ""
}

// goName qualifies methods with their receiver's type.
func goName(n, _ *sitter.Node, src []byte) (string, string) {
	name := treewalk.FieldText(n, "name", src)
	recv := treewalk.Field(n, "receiver")
	if recv == nil {
		return name, ""
	}
	for i := 0; i < int(recv.NamedChildCount()); i++ {
		if p := recv.NamedChild(i); p.Type() == "parameter_declaration" {
			return name, stripGenerics(treewalk.FieldText(p, "type", src))
		}
	}
	return name, ""
}

// cName follows the declarator chain (pointer, reference, function
// declarators) down to the identifier; `Foo::bar` yields qualifier Foo.
func cName(n, _ *sitter.Node, src []byte) (string, string) {
	d := treewalk.Field(n, "declarator")
	for d != nil {
		switch d.Type() {
		case "identifier", "field_identifier", "destructor_name", "operator_name", "type_identifier":
			return d.Content(src), ""
		case "qualified_identifier":
			// A::B::f nests as scope A, name (scope B, name f).
			var quals []string
			for d != nil && d.Type() == "qualified_identifier" {
				if scope := treewalk.FieldText(d, "scope", src); scope != "" {
					quals = append(quals, stripGenerics(scope))
				}
				d = treewalk.Field(d, "name")
			}
			if d == nil {
				return "", ""
			}
			return d.Content(src), strings.Join(quals, ".")
		}
		if next := treewalk.Field(d, "declarator"); next != nil {
			d = next
		} else if d.NamedChildCount() > 0 {
			d = d.NamedChild(0)
		} else {
			return "", ""
		}
	}
	return "", ""
}

// rubyName qualifies `def Foo.bar` with Foo; `def self.bar` takes the
// enclosing class from the scope like any method.
func rubyName(n, _ *sitter.Node, src []byte) (string, string) {
	name := treewalk.FieldText(n, "name", src)
	if obj := treewalk.FieldText(n, "object", src); obj != "" && obj != "self" {
		return name, strings.ReplaceAll(obj, "::", ".")
	}
	return name, ""
}

// scopedName names a Ruby class or module, `A::B` as A.B.
func scopedName(n *sitter.Node, src []byte) string {
	return strings.ReplaceAll(treewalk.FieldText(n, "name", src), "::", ".")
}

// rustContainerName names an impl by the type it implements.
func rustContainerName(n *sitter.Node, src []byte) string {
	if n.Type() == "impl_item" {
		return stripGenerics(treewalk.FieldText(n, "type", src))
	}
	return treewalk.FieldText(n, "name", src)
}

// The Kotlin grammar has no name fields: the name is a typed child.
func kotlinName(n, _ *sitter.Node, src []byte) (string, string) {
	if n.Type() == "secondary_constructor" {
		return "constructor", ""
	}
	if c := childOfType("simple_identifier")(n); c != nil {
		return c.Content(src), ""
	}
	return "", ""
}

// kotlinBody is a function's function_body; a secondary constructor has
// its statements directly between braces.
func kotlinBody(n *sitter.Node) *sitter.Node {
	if b := childOfType("function_body")(n); b != nil {
		return b
	}
	return childOfType("statements")(n)
}

func kotlinContainerName(n *sitter.Node, src []byte) string {
	if c := childOfType("type_identifier")(n); c != nil {
		return c.Content(src)
	}
	if n.Type() == "companion_object" {
		return "Companion"
	}
	return ""
}

func swiftName(n, _ *sitter.Node, src []byte) (string, string) {
	switch n.Type() {
	case "init_declaration":
		return "init", ""
	case "deinit_declaration":
		return "deinit", ""
	}
	return treewalk.FieldText(n, "name", src), ""
}
