package server

import (
	"regexp"
	"sort"
	"strings"
)

// SyntaxScorer measures how well text parses as a language, with a real
// parser (tree-sitter in production).
type SyntaxScorer interface {
	// Languages lists the languages it can parse.
	Languages() []string
	// SyntaxErrors counts the error nodes of text's syntax tree: 0 for a
	// clean parse.
	SyntaxErrors(language, text string) (int, error)
}

// cue is one telling construct of a language; weight 3 marks constructs
// that almost never appear elsewhere.
type cue struct {
	re     *regexp.Regexp
	weight float64
}

func cues(weighted map[string]float64) []cue {
	out := make([]cue, 0, len(weighted))
	for pat, w := range weighted {
		out = append(out, cue{regexp.MustCompile(`(?m)` + pat), w})
	}
	return out
}

// languageCues are the heuristics: constructs seen in a language's code,
// so no file name or extension is needed.
var languageCues = map[string][]cue{
	"go": cues(map[string]float64{`^package \w+\s*$`: 3, `\bfunc (\(\w+ \*?\w+\) )?\w+\(`: 3, `:= `: 1, `^import \($`: 3,
		`\bfmt\.\w+\(`: 3, `\bchan \w+`: 2, `\bdefer \w+`: 2, `err != nil`: 3}),
	"python": cues(map[string]float64{`^\s*def \w+\(.*\)\s*(->\s*[^:]+)?:\s*$`: 3, `^\s*(from [\w.]+ )?import [\w.]+(\s+as \w+)?\s*$`: 1,
		`\bself\.\w+`: 2, `^\s*elif\b`: 3, `\bNone\b`: 1, `__\w+__`: 2, `^\s*class \w+(\(.*\))?:\s*$`: 3, `\bprint\(`: 1}),
	"javascript": cues(map[string]float64{`\bfunction\s*\w*\s*\(`: 1, `\bconst \w+ = `: 1, `=> `: 1, `\bconsole\.log\(`: 3,
		`\brequire\(['"]`: 3, `\bexport (default )?`: 1, `===`: 2, `\blet \w+ = `: 1, `\bdocument\.`: 3}),
	"typescript": cues(map[string]float64{`\w\)?: (string|number|boolean|any|void|unknown)\b`: 3, `\binterface \w+ \{`: 2,
		`^\s*(export )?type \w+ = `: 3, `\bconst \w+: \w+`: 2, `\bfunction\s*\w*\s*\(`: 0.5, `=> `: 0.5, `===`: 1}),
	"java": cues(map[string]float64{`\bpublic (static )?(final )?(class|void|interface)\b`: 3, `System\.out\.print`: 3,
		`\bprivate (final )?\w+(<.*>)? \w+;`: 2, `@Override`: 3, `^import java\.`: 3, `String\[\] \w+`: 3, `\bnew \w+\(`: 1,
		`\bpublic (static )?(final )?[\w<>\[\]]+ \w+\(`: 1, `\bfor \((final )?[A-Za-z]\w*(<.*>)? \w+ : `: 2}),
	"c": cues(map[string]float64{`#include <\w+\.h>`: 3, `\bprintf\(`: 2, `\bmalloc\(`: 2, `\bint main\(`: 1, `->\w+`: 1,
		`\bstruct \w+ \{`: 1, `\bNULL\b`: 1, `^\s*(static )?(void|int|char|unsigned|size_t) \*?\w+\(`: 1}),
	"cpp": cues(map[string]float64{`#include <\w+>`: 3, `\bstd::`: 3, `\btemplate\s*<`: 3, `\bcout\b`: 2,
		`^\s*namespace \w+`: 1, `\w+::\w+\(`: 1, `\bnullptr\b`: 3, `\bauto \w+ = `: 1}),
	"csharp": cues(map[string]float64{`^using System`: 3, `^\s*namespace [\w.]+`: 1, `Console\.Write`: 3,
		`\bpublic (async |static |override )*[\w<>]+ \w+\(`: 1, `\bvar \w+ = `: 1, `\{ get; (private )?set; \}`: 3}),
	"rust": cues(map[string]float64{`\bfn \w+(<.*>)?\(`: 3, `\blet mut\b`: 3, `\bimpl\b`: 2, `\w!\(`: 1, `\bpub (fn|struct|enum)\b`: 3,
		`&self\b`: 3, `\bmatch \w+ \{`: 1, `^use \w+::`: 3, `\bOption<|\bResult<`: 2}),
	"ruby": cues(map[string]float64{`^\s*def \w+[?!]?(\(.*\))?\s*$`: 2, `^\s*end\s*$`: 2, `\bputs\b`: 3, `\battr_(accessor|reader)\b`: 3,
		`\.each do \|`: 3, `^\s*require ['"]`: 2, `@\w+`: 0.5, `\bunless\b`: 2}),
	"php":    cues(map[string]float64{`<\?php`: 5, `\$\w+`: 1, `\bfunction \w+\(`: 1, `\$this->`: 3, `\becho\b`: 1, `\bpublic function\b`: 2}),
	"kotlin": cues(map[string]float64{`\bfun \w+\(`: 3, `\bval \w+`: 1, `\bvar \w+: \w+`: 1, `\bprintln\(`: 1, `\bdata class\b`: 3, `\?: `: 1}),
	"swift": cues(map[string]float64{`\bfunc \w+\(`: 1, `\blet \w+ = `: 1, `\bguard let\b`: 3, `^import (Foundation|UIKit|SwiftUI)`: 5,
		`\bvar \w+: \w+`: 1, `-> \w+ \{`: 1}),
	"scala": cues(map[string]float64{`\bdef \w+(\[.*\])?\(.*\): \w+.* =`: 3, `^\s*object \w+`: 2, `\bval \w+`: 1, `\bcase class\b`: 3,
		`^import scala\.`: 5}),
}

// LanguageGuess is one candidate of a language classification.
type LanguageGuess struct {
	Language string  `json:"language"`
	Score    float64 `json:"score"`
	// Heuristic is the weight of the language's constructs found in the
	// text; SyntaxErrors the error nodes of its parse as that language
	// (absent when no parser was asked).
	Heuristic    float64 `json:"heuristic"`
	SyntaxErrors *int    `json:"syntax_errors,omitempty"`
}

// ClassifyLanguage ranks languages for text, best first. Heuristics find
// the candidates; a syntax scorer, when given, checks each by parsing.
func ClassifyLanguage(text string, syntax SyntaxScorer) []LanguageGuess {
	heur := map[string]float64{}
	best := 0.0
	for lang, cs := range languageCues {
		for _, c := range cs {
			if c.re.MatchString(text) {
				heur[lang] += c.weight
			}
		}
		best = max(best, heur[lang])
	}
	parseable := map[string]bool{}
	if syntax != nil {
		for _, l := range syntax.Languages() {
			parseable[l] = true
		}
	}
	lines := strings.Count(strings.TrimSpace(text), "\n") + 1
	var out []LanguageGuess
	for lang := range unionKeys(languageCues, parseable) {
		g := LanguageGuess{Language: lang, Heuristic: heur[lang]}
		share := 0.0
		if best > 0 {
			share = g.Heuristic / best
		}
		g.Score = share
		if parseable[lang] && (share > 0 || best == 0) {
			// Parsing every grammar is slow and lenient grammars accept
			// much: only the heuristics' candidates are parsed, unless
			// nothing matched at all.
			if n, err := syntax.SyntaxErrors(lang, text); err == nil {
				g.SyntaxErrors = &n
				g.Score = 0.6*share + 0.4*parseQuality(n, lines)
			}
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Language < out[j].Language
	})
	return out
}

// parseQuality is 1 for a clean parse, falling to 0 at one error per line.
func parseQuality(errors, lines int) float64 {
	return max(0, 1-float64(errors)/float64(lines))
}

func unionKeys[V any](a map[string]V, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
