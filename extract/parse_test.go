package extract

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/codeloom/codeloom/extract/internal/treewalk"
)

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		lang, code string
		bad        bool
	}{
		{"python", "def f(x):\n    return x + 1\n", false},
		{"python", "def f(x:\n    return x +\n", true},
		{"go", "package p\nfunc f() int { return 1 }\n", false},
		{"go", "package p\nfunc f() int { return 1 \n", true}, // MISSING }
		{"golang", "package p\nfunc f() {}\n", false},         // alias
		{"javascript", "function f(a) { return a * 2; }", false},
		{"js", "function f(a) { return a * ; }", true},
		{"rust", "fn f() -> i32 { 1 }", false},
		{"rust", "fn f( -> i32 { 1 }", true},
		{"java", "class A { int f() { return 1; } }", false},
		{"java", "class A { int f() { return 1 } }", true},
		{"tsx", "const A = () => <div>{x}</div>;", false},
		{"ruby", "def f(x)\n  x + 1\nend\n", false},
		{"ruby", "def f(x)\n  x +\n", true},
	}
	for _, tc := range cases {
		n, err := SyntaxErrors(tc.lang, tc.code)
		if err != nil {
			t.Fatalf("%s: %v", tc.lang, err)
		}
		if (n > 0) != tc.bad {
			t.Errorf("SyntaxErrors(%s, %q) = %d, want errors: %v", tc.lang, tc.code, n, tc.bad)
		}
	}
	if _, err := SyntaxErrors("cobol", "x"); err == nil {
		t.Error("unknown language: no error")
	}
}

func TestLanguageRegistry(t *testing.T) {
	if got := len(Languages()); got != 15 {
		t.Errorf("%d languages, want 15", got)
	}
	for path, want := range map[string]string{
		"a/b.py": "python", "x.PY": "python", "m.mjs": "javascript", "c.tsx": "tsx", "d.ts": "typescript",
		"e.go": "go", "f.rs": "rust", "G.java": "java", "h.h": "c", "i.hpp": "cpp", "j.cs": "csharp",
		"k.rb": "ruby", "l.php": "php", "m.kts": "kotlin", "n.swift": "swift", "o.scala": "scala",
		"README.md": "", "Makefile": "",
	} {
		got := ""
		if l := LanguageForPath(path); l != nil {
			got = l.Name
		}
		if got != want {
			t.Errorf("LanguageForPath(%q) = %q, want %q", path, got, want)
		}
	}
	for alias, want := range map[string]string{"Golang": "go", "c++": "cpp", "C#": "csharp", "ts": "typescript", "kotlin": "kotlin"} {
		if l := LanguageByName(alias); l == nil || l.Name != want {
			t.Errorf("LanguageByName(%q) = %v, want %s", alias, l, want)
		}
	}
	if l := DetectLanguage("inc/x.h", []byte("int f(void);\n")); l.Name != "c" {
		t.Errorf("C header detected as %s", l.Name)
	}
	if l := DetectLanguage("inc/x.h", []byte("namespace a { int f(); }\n")); l.Name != "cpp" {
		t.Errorf("C++ header detected as %s", l.Name)
	}
	if LanguageByName("cobol") != nil {
		t.Error("LanguageByName(cobol) is not nil")
	}
}

func TestFunctionFields(t *testing.T) {
	src := "class A:\n    def m(self,\n          x):\n        \"\"\"Doc.\"\"\"\n        if x:\n            return 1\n        return 2\n"
	p := NewParser(0)
	defer p.Close()
	fns, err := p.Functions(context.Background(), LanguageByName("python"), []byte(src))
	if err != nil || len(fns) != 1 {
		t.Fatalf("got %d functions, %v", len(fns), err)
	}
	f := fns[0]
	wantCode := "def m(self,\n      x):\n    \"\"\"Doc.\"\"\"\n    if x:\n        return 1\n    return 2"
	if f.Code != wantCode {
		t.Errorf("code (dedented):\n%s\nwant:\n%s", f.Code, wantCode)
	}
	if f.Signature != "def m(self, x):" || f.Name != "m" || f.QualifiedName != "A.m" || f.Kind != KindMethod || f.Complexity != 2 {
		t.Errorf("got %+v", f.Record)
	}
}

func TestPythonDocstringAfterComment(t *testing.T) {
	src := "def f():\n    # a comment first\n    \"\"\"The doc.\"\"\"\n    return 1\n"
	p := NewParser(0)
	defer p.Close()
	fns, err := p.Functions(context.Background(), LanguageByName("python"), []byte(src))
	if err != nil || len(fns) != 1 || fns[0].Docstring != "The doc." || fns[0].Facts.Trivial {
		t.Fatalf("got %+v, %v", fns, err)
	}
}

// TestCodeKeepsInnerIndentation checks that a function starting mid-line
// (an arrow function assigned to a name) loses only its line's indentation.
func TestCodeKeepsInnerIndentation(t *testing.T) {
	src := "class A {\n  run() {\n    const check = (x) => {\n      if (!x) {\n        throw new Error('no')\n      }\n    }\n  }\n}\n"
	p := NewParser(0)
	defer p.Close()
	fns, err := p.Functions(context.Background(), LanguageByName("javascript"), []byte(src))
	if err != nil || len(fns) != 2 {
		t.Fatalf("got %d functions, %v", len(fns), err)
	}
	want := "(x) => {\n  if (!x) {\n    throw new Error('no')\n  }\n}"
	if fns[1].Name != "check" || fns[1].Code != want {
		t.Errorf("code:\n%s\nwant:\n%s", fns[1].Code, want)
	}
}

func TestSyntaxErrorInsideFunction(t *testing.T) {
	src := "package p\n\nfunc good() int {\n\treturn 1\n}\n\nfunc bad() int {\n\treturn 1 + ) 2\n}\n"
	p := NewParser(0)
	defer p.Close()
	fns, err := p.Functions(context.Background(), LanguageByName("go"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range fns {
		got[f.Name] = f.Facts.SyntaxError
	}
	if len(got) != 2 || got["good"] || !got["bad"] {
		t.Errorf("syntax errors by function: %v, want only bad", got)
	}
}

// TestParseTimeoutResets checks that a parse cut short by the time limit
// reports ErrParseTimeout and leaves the parser usable for the next file.
func TestParseTimeoutResets(t *testing.T) {
	big := []byte("package p\n" + strings.Repeat("func f() { if a { b() } else { c(d, e, f) } }\n", 20000))
	p := NewParser(time.Microsecond)
	defer p.Close()
	_, err := p.Functions(context.Background(), LanguageByName("go"), big)
	if !errors.Is(err, ErrParseTimeout) {
		t.Fatalf("err = %v, want ErrParseTimeout", err)
	}
	p.p.SetOperationLimit(0) // no limit: the same parser must now parse from scratch
	fns, err := p.Functions(context.Background(), LanguageByName("go"), []byte("package p\nfunc g() {}\n"))
	if err != nil || len(fns) != 1 || fns[0].Name != "g" || fns[0].Facts.SyntaxError {
		t.Fatalf("after timeout: %d functions, err %v", len(fns), err)
	}
}

// TestCppQualifiedNames covers out-of-line definitions, including broken
// ones whose qualified name has parts missing.
func TestCppQualifiedNames(t *testing.T) {
	src := "int A::B::f() { return 1; }\ntemplate <> void X<int>::g() { h(); }\nA::~A() { free(p); }\n" +
		"bool operator==(const A& a, const A& b) { return a.x == b.x; }\nint ::() { }\nvoid A::() { x(); }\n"
	p := NewParser(0)
	defer p.Close()
	fns, err := p.Functions(context.Background(), LanguageByName("cpp"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fns {
		got = append(got, f.Kind+" "+f.QualifiedName)
	}
	want := []string{"method A.B.f", "method X.g", "method A.~A", "function operator=="}
	if len(got) < len(want) || strings.Join(got[:len(want)], ",") != strings.Join(want, ",") {
		t.Errorf("got %q, want %q first", got, want)
	}
}

// TestTreewalkChildrenEveryLanguage holds the walker's Children, Field and
// FieldText to the binding's on every node of each language's sample file:
// treewalk reads tree-sitter's subtrees directly, and each grammar hides,
// aliases and nests nodes its own way.
func TestTreewalkChildrenEveryLanguage(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "lang", "*"))
	if err != nil || len(files) < 15 {
		t.Fatalf("%d sample files: %v", len(files), err)
	}
	var w treewalk.Walker
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lang := DetectLanguage(f, src)
		p := NewParser(0)
		tree, err := p.parse(context.Background(), lang, src)
		if err != nil {
			t.Fatal(err)
		}
		nodes := 0
		var visit func(n *sitter.Node)
		visit = func(n *sitter.Node) {
			nodes++
			if first := w.Children(n, 2); len(first) != min(2, int(n.ChildCount())) {
				t.Fatalf("%s: %s at %d: %d of the first 2 children, the binding has %d", f, n.Type(), n.StartByte(), len(first), n.ChildCount())
			}
			kids := w.Children(n, 0)
			if len(kids) != int(n.ChildCount()) {
				t.Fatalf("%s: %s at %d: %d children, the binding has %d", f, n.Type(), n.StartByte(), len(kids), n.ChildCount())
			}
			var subs []*sitter.Node
			for i := range kids {
				c, k := n.Child(i), &kids[i]
				if !k.Node(n).Equal(c) || k.Symbol() != c.Symbol() || k.StartByte() != c.StartByte() ||
					k.EndByte() != c.EndByte() || k.Named() != c.IsNamed() || k.Node(n).StartPoint() != c.StartPoint() {
					t.Fatalf("%s: %s at %d: child %d differs from the binding's %s", f, n.Type(), n.StartByte(), i, c.Type())
				}
				subs = append(subs, c)
			}
			for _, name := range []string{"name", "body", "declarator", "left", "receiver", "type", "operator", "nofield"} {
				want, got := n.ChildByFieldName(name), treewalk.Field(n, name)
				if (want == nil) != (got == nil) || want != nil && !want.Equal(got) {
					t.Fatalf("%s: %s at %d: field %s differs from the binding's", f, n.Type(), n.StartByte(), name)
				}
				if text := treewalk.FieldText(n, name, src); want != nil && text != want.Content(src) || want == nil && text != "" {
					t.Fatalf("%s: %s at %d: field %s text %q", f, n.Type(), n.StartByte(), name, text)
				}
			}
			for _, c := range subs {
				visit(c)
			}
		}
		visit(tree.RootNode())
		tree.Close()
		p.Close()
		if nodes < 30 {
			t.Errorf("%s: only %d nodes", f, nodes)
		}
	}
}
