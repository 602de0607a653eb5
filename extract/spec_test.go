package extract

import (
	"slices"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
)

// TestSpecNodeTypesExist guards the specs against node type names that the
// grammar does not have (a typo would silently find nothing).
func TestSpecNodeTypesExist(t *testing.T) {
	for _, lang := range Languages() {
		g := lang.grammar
		var names []string
		for i := uint32(0); i < g.SymbolCount(); i++ {
			names = append(names, g.SymbolName(sitter.Symbol(i)))
		}
		for _, typ := range lang.spec.nodeTypes() {
			if !slices.Contains(names, typ) {
				t.Errorf("%s: node type %q is not in the grammar", lang.Name, typ)
			}
		}
	}
}

// TestSpecRoles checks that every node type a spec names reaches the role
// table (only named symbols get a role) and that a type named in two groups
// is refused.
func TestSpecRoles(t *testing.T) {
	for _, lang := range Languages() {
		got := map[string]bool{}
		for sym, r := range lang.roles {
			if r != roleNone {
				got[lang.grammar.SymbolName(sitter.Symbol(sym))] = true
			}
		}
		for _, typ := range lang.spec.nodeTypes() {
			if !got[typ] {
				t.Errorf("%s: node type %q has no role", lang.Name, typ)
			}
		}
	}
	bad := *LanguageByName("go").spec
	bad.comments = append(slices.Clone(bad.comments), bad.functions[0])
	if _, err := bad.roles(bad.grammar()); err == nil {
		t.Errorf("a type that is both function and comment was accepted")
	}
}
