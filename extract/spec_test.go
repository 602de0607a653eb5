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

// TestQueriesCompile builds every language's extraction query, which
// otherwise happens on first use.
func TestQueriesCompile(t *testing.T) {
	for _, s := range specs {
		if _, _, err := buildQuery(s, s.grammar()); err != nil {
			t.Error(err)
		}
	}
}
