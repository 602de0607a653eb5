// Package treesitter gives the server's language classifier real parsers:
// it implements server.SyntaxScorer with the extract package's tree-sitter
// grammars.
package treesitter

import "github.com/codeloom/codeloom/extract"

// Scorer parses text with extract's grammars.
type Scorer struct{}

// Languages lists extract's languages.
func (Scorer) Languages() []string { return extract.LanguageNames() }

// SyntaxErrors counts the ERROR and MISSING nodes of text parsed as language.
func (Scorer) SyntaxErrors(language, text string) (int, error) {
	return extract.SyntaxErrors(language, text)
}
