package extract

import (
	"fmt"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
)

// Capture names of the extraction query, one per role it looks for.
var captureRoles = map[string]role{
	"function": roleFunction, "container": roleContainer, "decision": roleDecision,
	"boolop": roleBoolOp, "comment": roleComment,
}

// buildQuery compiles the query that finds the nodes extraction needs and
// maps its capture indexes to roles. Boolean operators are matched inside
// the query when the grammar has them as anonymous tokens (&&, ||, and,
// or); otherwise the whole expression is captured and its operator read.
func buildQuery(s *spec, g *sitter.Language) (*sitter.Query, []role, error) {
	var b strings.Builder
	alt := func(types []string, capture string) {
		if len(types) == 0 {
			return
		}
		b.WriteString("[")
		for _, t := range types {
			fmt.Fprintf(&b, "(%s)", t)
		}
		fmt.Fprintf(&b, "] @%s\n", capture)
	}
	alt(append(append(append([]string(nil), s.functions...), s.optionalBody...), s.constructors...), "function")
	alt(s.containers, "container")
	alt(s.decisions, "decision")
	alt(s.comments, "comment")
	if ops := anonymousSymbols(g, boolOperators); len(ops) > 0 {
		for _, t := range s.boolOps {
			fmt.Fprintf(&b, "(%s operator: [%s]) @decision\n", t, strings.Join(ops, " "))
		}
	} else {
		alt(s.boolOps, "boolop")
	}
	q, err := sitter.NewQuery([]byte(b.String()), g)
	if err != nil {
		return nil, nil, fmt.Errorf("%s query: %w", s.name, err)
	}
	roles := make([]role, q.CaptureCount())
	for i := range roles {
		roles[i] = captureRoles[q.CaptureNameForId(uint32(i))]
	}
	return q, roles, nil
}

// anonymousSymbols lists, quoted, the names in want that the grammar has as
// anonymous tokens.
func anonymousSymbols(g *sitter.Language, want map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for i := uint32(0); i < g.SymbolCount(); i++ {
		sym := sitter.Symbol(i)
		name := g.SymbolName(sym)
		if g.SymbolType(sym) == sitter.SymbolTypeAnonymous && want[name] && !seen[name] {
			seen[name] = true
			out = append(out, fmt.Sprintf("%q", name))
		}
	}
	return out
}
