package eval

import (
	"context"

	"github.com/codeloom/codeloom/extract"
)

// Grammars checks syntax with the tree-sitter grammars the extractor parses
// the dataset with, so "valid" means the same thing at both ends. It is not
// safe for concurrent use; Close frees it.
type Grammars struct {
	p *extract.Parser
}

// NewGrammars makes a checker.
func NewGrammars() *Grammars { return &Grammars{p: extract.NewParser(0)} }

// Close frees the parser.
func (g *Grammars) Close() { g.p.Close() }

// Valid reports whether source parses without ERROR or MISSING nodes; ok is
// false for a language without a grammar or a parse that timed out.
func (g *Grammars) Valid(language, source string) (valid, ok bool) {
	lang := extract.LanguageByName(language)
	if lang == nil {
		return false, false
	}
	n, err := g.p.SyntaxErrors(context.Background(), lang, []byte(source))
	if err != nil {
		return false, false
	}
	return n == 0, true
}
