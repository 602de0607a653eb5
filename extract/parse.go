package extract

import (
	"context"
	"errors"
	"fmt"
	"time"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/codeloom/codeloom/extract/internal/treewalk"
)

// ErrParseTimeout is returned when a file takes longer to parse than the
// parser's time limit.
var ErrParseTimeout = errors.New("parse timed out")

// DefaultParseTimeout bounds the parse of one file.
const DefaultParseTimeout = 5 * time.Second

// Parser parses source files with tree-sitter. It is not safe for
// concurrent use: give each goroutine its own, and Close it when done.
type Parser struct {
	p    *sitter.Parser
	walk treewalk.Walker
}

// NewParser makes a parser that gives up on a file after timeout (0 means
// DefaultParseTimeout).
func NewParser(timeout time.Duration) *Parser {
	if timeout <= 0 {
		timeout = DefaultParseTimeout
	}
	p := sitter.NewParser()
	p.SetOperationLimit(int(timeout.Microseconds()))
	return &Parser{p: p}
}

// Close frees the parser's C memory.
func (p *Parser) Close() {
	p.p.Close()
}

// parse returns the tree of src; the caller closes it. After a timeout or a
// cancellation the parser is reset, since tree-sitter would otherwise resume
// the abandoned parse on the next call.
func (p *Parser) parse(ctx context.Context, lang *Language, src []byte) (*sitter.Tree, error) {
	p.p.SetLanguage(lang.grammar)
	tree, err := p.p.ParseCtx(ctx, nil, src)
	if err != nil {
		p.p.Reset()
		if errors.Is(err, sitter.ErrOperationLimit) {
			return nil, ErrParseTimeout
		}
		return nil, fmt.Errorf("parse %s: %w", lang.Name, err)
	}
	return tree, nil
}

// Functions parses src and returns its functions in source order. Functions
// nested deeper than extraction goes are left out (see RemovedTooDeep).
func (p *Parser) Functions(ctx context.Context, lang *Language, src []byte) ([]Function, error) {
	fns, _, err := p.functions(ctx, lang, src)
	return fns, err
}

// functions is Functions, also saying how many functions it left out for
// their nesting.
func (p *Parser) functions(ctx context.Context, lang *Language, src []byte) ([]Function, int, error) {
	tree, err := p.parse(ctx, lang, src)
	if err != nil {
		return nil, 0, err
	}
	defer tree.Close()
	fns, tooDeep := functions(lang, &p.walk, tree.RootNode(), src)
	return fns, tooDeep, nil
}

// SyntaxErrors parses src and counts its ERROR and MISSING nodes.
func (p *Parser) SyntaxErrors(ctx context.Context, lang *Language, src []byte) (int, error) {
	tree, err := p.parse(ctx, lang, src)
	if err != nil {
		return 0, err
	}
	defer tree.Close()
	return countErrors(tree.RootNode()), nil
}

// countErrors visits only subtrees that contain an error, which tree-sitter
// flags on every ancestor of an ERROR or MISSING node.
func countErrors(n *sitter.Node) int {
	if n.IsError() || n.IsMissing() {
		return 1 + countChildErrors(n)
	}
	if !n.HasError() {
		return 0
	}
	return countChildErrors(n)
}

func countChildErrors(n *sitter.Node) int {
	total := 0
	for i := 0; i < int(n.ChildCount()); i++ {
		total += countErrors(n.Child(i))
	}
	return total
}

// SyntaxErrors parses a snippet in the named language (see LanguageByName)
// and returns how many ERROR and MISSING nodes its syntax tree holds: 0 means
// the snippet is valid. For many snippets, reuse a Parser instead.
func SyntaxErrors(language, code string) (int, error) {
	lang := LanguageByName(language)
	if lang == nil {
		return 0, fmt.Errorf("syntax check: unknown language %q", language)
	}
	p := NewParser(0)
	defer p.Close()
	return p.SyntaxErrors(context.Background(), lang, []byte(code))
}
