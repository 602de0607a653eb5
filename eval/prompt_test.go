package eval

import (
	"strings"
	"testing"

	"github.com/codeloom/codeloom/dataset"
)

func TestBuildPrompt(t *testing.T) {
	tests := []struct {
		name string
		rec  dataset.Record
		want Prompt
		ok   bool
	}{
		{"go with doc comment added",
			dataset.Record{Language: "go", Signature: "func Add(a, b int) int", Docstring: "Add sums.\nIt is exact.",
				Code: "func Add(a, b int) int {\n\treturn a + b\n}"},
			Prompt{Prompt: "// Add sums.\n// It is exact.\nfunc Add(a, b int) int {\n", Reference: "\treturn a + b\n}", BraceBody: true}, true},
		{"java brace on the next line, doc already in the code",
			dataset.Record{Language: "java", Signature: "int f(int x)", Docstring: "Doubles.",
				Code: "/** Doubles. */\nint f(int x)\n{\n    return 2 * x;\n}"},
			Prompt{Prompt: "/** Doubles. */\nint f(int x)\n{\n", Reference: "    return 2 * x;\n}", BraceBody: true}, true},
		{"python docstring stays in the prompt",
			dataset.Record{Language: "python", Signature: "def f(x):", Docstring: "Double x.",
				Code: "def f(x):\n    \"\"\"Double x.\n\n    Really.\"\"\"\n    return 2 * x\n"},
			Prompt{Prompt: "def f(x):\n    \"\"\"Double x.\n\n    Really.\"\"\"\n", Reference: "    return 2 * x\n"}, true},
		{"python without docstring, signature without colon",
			dataset.Record{Language: "python", Signature: "def f(x) -> int", Code: "def f(x) -> int:  # note\n    return x\n"},
			Prompt{Prompt: "def f(x) -> int:  # note\n", Reference: "    return x\n"}, true},
		{"python body that starts with return is not a docstring",
			dataset.Record{Language: "python", Signature: "def f(r)", Code: "def f(r):\n    return r'x'\n"},
			Prompt{Prompt: "def f(r):\n", Reference: "    return r'x'\n"}, true},
		{"kotlin expression body",
			dataset.Record{Language: "kotlin", Signature: "fun f(x: Int): Int", Code: "fun f(x: Int): Int =\n    x * 2"},
			Prompt{Prompt: "fun f(x: Int): Int =\n", Reference: "    x * 2"}, true},
		{"signature joined from several lines",
			dataset.Record{Language: "python", Signature: "def f(a, b=1):",
				Code: "def f(\n    a,\n    b=1,\n):\n    return a\n"}, Prompt{}, false},
		{"signature joined from several lines, without a trailing comma",
			dataset.Record{Language: "python", Signature: "def f(a, b=1):",
				Code: "def f(a,\n      b=1):\n    return a\n"},
			Prompt{Prompt: "def f(a,\n      b=1):\n", Reference: "    return a\n"}, true},
		{"annotation before the signature is not the doc comment",
			dataset.Record{Language: "java", Signature: "int f()", Docstring: "Returns one.",
				Code: "@Override\nint f() {\n    return 1;\n}"},
			Prompt{Prompt: "// Returns one.\n@Override\nint f() {\n", Reference: "    return 1;\n}", BraceBody: true}, true},
		{"python one-liner has no body to write",
			dataset.Record{Language: "python", Signature: "def f(x):", Code: "def f(x): return x\n"}, Prompt{}, false},
		{"python with only a docstring",
			dataset.Record{Language: "python", Signature: "def f(x):", Code: "def f(x):\n    '''Nothing.'''"}, Prompt{}, false},
		{"signature not in code",
			dataset.Record{Language: "go", Signature: "func G()", Code: "func F() {\n}\n"}, Prompt{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := BuildPrompt(&tt.rec)
			if ok != tt.ok || got != tt.want {
				t.Errorf("BuildPrompt = %#v, %v\nwant %#v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCutBody(t *testing.T) {
	tests := []struct {
		name, text, lang string
		brace            bool
		want             string
		done             bool
	}{
		{"closes the body, drops what follows", "\treturn a\n}\n\nfunc main() {}\n", "go", true, "\treturn a\n}\n", true},
		{"nested blocks and braces in strings, comments, chars", "\tif x { s := \"}\"; c := '}' } // }\n\t/* } */ m := `}`\n}\nrest", "go", true,
			"\tif x { s := \"}\"; c := '}' } // }\n\t/* } */ m := `}`\n}\n", true},
		{"rust lifetime opens nothing", "    let s: &'a str = x;\n}\nfn g() {}", "rust", true, "    let s: &'a str = x;\n}\n", true},
		{"escaped quote in a string", "\ts := \"\\\"}\"\n}\n", "go", true, "\ts := \"\\\"}\"\n}\n", true},
		{"body not closed yet", "\tfor {\n\t\tx++\n\t}\n", "go", true, "\tfor {\n\t\tx++\n\t}\n", false},
		{"python ends at the dedent, blank lines dropped", "    y = x\n\n    return y\n\n\ndef g():\n    pass\n", "python", false, "    y = x\n\n    return y\n", true},
		{"python method: dedent to the class level", "        return 1\n    def g(self):\n", "python", false, "        return 1\n", true},
		{"python dedent seen before its newline", "    return 1\nprint", "python", false, "    return 1\n", true},
		{"python body still open", "    if x:\n        return 1\n    ", "python", false, "    if x:\n        return 1\n    ", false},
		{"other languages are kept whole", "  x * 2\nfun g() = 1\n", "kotlin", false, "  x * 2\nfun g() = 1\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, done := cutBody(tt.text, tt.lang, tt.brace)
			if got != tt.want || done != tt.done {
				t.Errorf("cutBody = %q, %v; want %q, %v", got, done, tt.want, tt.done)
			}
		})
	}
}

// FuzzBuildPrompt checks that any record splits without panicking into a
// prompt and reference that are the code (after any added doc comment).
func FuzzBuildPrompt(f *testing.F) {
	f.Add("python", "def f(x):", "doc", "def f(x):\n    '''doc'''\n    return x\n")
	f.Add("go", "func F()", "F does.", "func F() {\n\treturn\n}")
	f.Add("python", "def f(", "", "def f(\n")
	f.Fuzz(func(t *testing.T, lang, sig, doc, code string) {
		r := dataset.Record{Language: lang, Signature: sig, Docstring: doc, Code: code}
		p, ok := BuildPrompt(&r)
		if ok && !strings.HasSuffix(p.Prompt+p.Reference, code) {
			t.Errorf("prompt %q + reference %q do not end with the code %q", p.Prompt, p.Reference, code)
		}
	})
}

// FuzzCutBody checks that cutting never panics and returns the text whole
// or a prefix of it (ending at a closing brace, plus a newline).
func FuzzCutBody(f *testing.F) {
	f.Add("\treturn '}' // }\n}\nx", true, "go")
	f.Add("    x = 1\ny", false, "python")
	f.Add("'\\", true, "rust")
	f.Fuzz(func(t *testing.T, text string, brace bool, lang string) {
		body, done := cutBody(text, lang, brace)
		var ok bool
		switch {
		case !done:
			ok = body == text
		case brace:
			ok = strings.HasSuffix(body, "}\n") && strings.HasPrefix(text, body[:len(body)-1])
		default:
			ok = strings.HasPrefix(text, body)
		}
		if !ok {
			t.Errorf("cutBody(%q) = %q, %v", text, body, done)
		}
	})
}
