package extract

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/codeloom/codeloom/extract/internal/treewalk"
)

// Language is one programming language codeloom can parse: its registry name
// (the value of dataset.Record.Language), the file extensions that select it
// and the rules that find its functions.
type Language struct {
	Name       string   // registry name: "python", "go", "tsx", ...
	Extensions []string // with the dot: ".py", ".pyi"
	grammar    *sitter.Language
	spec       *spec
	// roles maps each grammar symbol to what extraction does with it: the
	// table the tree walk reads, and the one single nodes are checked
	// against without comparing node type strings.
	roles []role
	walk  *treewalk.Table // roles, as the walk reads them
	types []string        // node type names by grammar symbol
}

// role is what the extractor does with node n.
func (l *Language) role(n *sitter.Node) role { return l.symbolRole(n.Symbol()) }

// symbolRole is the role of a grammar symbol. ERROR nodes carry a symbol
// outside the grammar's table and have no role.
func (l *Language) symbolRole(sym sitter.Symbol) role {
	if s := int(sym); s < len(l.roles) {
		return l.roles[s]
	}
	return roleNone
}

// typeName is the node type of a grammar symbol, as sitter.Node.Type gives
// it but without a call into C and a string copy.
func (l *Language) typeName(sym sitter.Symbol) string {
	if s := int(sym); s < len(l.types) {
		return l.types[s]
	}
	return "ERROR"
}

// registry is built once at package initialization and never changed.
var registry = buildRegistry()

func buildRegistry() map[string]*Language {
	m := make(map[string]*Language, len(specs))
	for _, s := range specs {
		lang := &Language{Name: s.name, Extensions: s.extensions, grammar: s.grammar(), spec: s}
		roles, err := s.roles(lang.grammar)
		if err != nil {
			// The specs are constants checked by the tests: a conflict is a
			// programming error, like a bad regexp.
			panic(err)
		}
		lang.roles = roles
		lang.walk = treewalk.NewTable(lang.grammar, roles)
		for i := range lang.grammar.SymbolCount() {
			lang.types = append(lang.types, lang.grammar.SymbolName(sitter.Symbol(i)))
		}
		m[s.name] = lang
	}
	return m
}

// Languages returns every supported language, sorted by name.
func Languages() []*Language {
	out := make([]*Language, 0, len(registry))
	for _, l := range registry {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LanguageNames returns the registry names, sorted.
func LanguageNames() []string {
	var out []string
	for _, l := range Languages() {
		out = append(out, l.Name)
	}
	return out
}

// LanguageByName finds a language by registry name or a common alias
// ("golang", "js", "ts", "c++", "cs", ...), case-insensitively; nil when unknown.
func LanguageByName(name string) *Language {
	name = strings.ToLower(strings.TrimSpace(name))
	if l := registry[name]; l != nil {
		return l
	}
	return registry[aliases[name]]
}

var aliases = map[string]string{
	"golang": "go", "js": "javascript", "ts": "typescript", "py": "python",
	"c++": "cpp", "cs": "csharp", "c#": "csharp", "rb": "ruby", "kt": "kotlin",
	"rs": "rust",
}

// LanguageForPath picks the language of a file by its extension; nil when
// the file is not in a supported language.
func LanguageForPath(path string) *Language {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == "" {
		return nil
	}
	return registry[byExtension[ext]]
}

// DetectLanguage picks the language of a file by its extension and, for C
// headers (.h), by its content: a header that uses C++ is parsed as C++.
func DetectLanguage(path string, src []byte) *Language {
	lang := LanguageForPath(path)
	if lang != nil && lang.Name == "c" && strings.EqualFold(filepath.Ext(path), ".h") && looksLikeCpp(src) {
		return registry["cpp"]
	}
	return lang
}

// cppMarkers are constructs of C++ that C does not have.
var cppMarkers = [][]byte{
	[]byte("std::"), []byte("namespace "), []byte("template <"), []byte("template<"), []byte("public:"),
	[]byte("private:"), []byte("protected:"), []byte("nullptr"), []byte("constexpr "), []byte("#include <string>"),
}

func looksLikeCpp(src []byte) bool {
	for _, m := range cppMarkers {
		if bytes.Contains(src, m) {
			return true
		}
	}
	return false
}

var byExtension = func() map[string]string {
	m := map[string]string{}
	for _, s := range specs {
		for _, e := range s.extensions {
			m[e] = s.name
		}
	}
	return m
}()
