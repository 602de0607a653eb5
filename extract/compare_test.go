package extract

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// forEachFile extracts every file of lang under root and hands each, with
// its source and functions, to fn.
func forEachFile(t *testing.T, root, lang string, fn func(f fileEntry, src []byte, fns []Function)) {
	t.Helper()
	files, _, err := listFiles(context.Background(), root, map[string]bool{lang: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(0)
	defer p.Close()
	for _, f := range files {
		src, err := os.ReadFile(f.abs)
		if err != nil {
			t.Fatal(err)
		}
		fns, err := p.Functions(context.Background(), f.lang, src)
		if err != nil {
			t.Fatalf("%s: %v", f.rel, err)
		}
		fn(f, src, fns)
	}
}

// countFunctions counts the functions tree-sitter finds in each file, by
// path relative to root.
func countFunctions(t *testing.T, root, lang string) map[string]int {
	t.Helper()
	out := map[string]int{}
	forEachFile(t, root, lang, func(f fileEntry, _ []byte, fns []Function) { out[f.rel] = len(fns) })
	return out
}

// compareCounts checks the totals over the files both sides parsed and
// reports per-file differences.
func compareCounts(t *testing.T, name string, ours, ref map[string]int, tolerance float64) {
	t.Helper()
	oursTotal, refTotal, differ := 0, 0, 0
	for path, n := range ref {
		oursTotal += ours[path]
		refTotal += n
		if ours[path] != n {
			differ++
			if differ <= 10 {
				t.Logf("%s: tree-sitter %d, reference %d", path, ours[path], n)
			}
		}
	}
	t.Logf("%s: %d files; tree-sitter found %d functions, the reference parser %d; %d files differ", name, len(ref), oursTotal, refTotal, differ)
	if refTotal == 0 {
		t.Fatalf("%s: the reference parser found no functions", name)
	}
	if diff := float64(oursTotal-refTotal) / float64(refTotal); diff > tolerance || diff < -tolerance {
		t.Errorf("%s: counts differ by %.1f%%, more than %.1f%%", name, 100*diff, 100*tolerance)
	}
}

// TestDocCommentsMatchGoAST compares the doc comments found in net/http
// with go/ast's (CommentGroup.Text), function by function.
func TestDocCommentsMatchGoAST(t *testing.T) {
	root := filepath.Join(testfixture.GoRoot(t), "src", "net", "http")
	same, total := 0, 0
	forEachFile(t, root, "go", func(f fileEntry, src []byte, fns []Function) {
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, f.abs, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return
		}
		ref := map[int]string{}
		for _, d := range af.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				ref[fset.Position(fd.Pos()).Line] = strings.TrimSpace(fd.Doc.Text())
			}
		}
		for _, fn := range fns {
			total++
			if want := ref[fn.StartLine]; fn.Docstring == want {
				same++
			} else {
				t.Errorf("%s:%d: doc %q, go/ast %q", f.rel, fn.StartLine, fn.Docstring, want)
			}
		}
	})
	t.Logf("net/http: %d of %d doc comments equal to go/ast's", same, total)
}

// TestMatchesGoAST compares the functions found in the standard library's
// net/http and encoding/json with go/ast's function declarations that have
// a body.
func TestMatchesGoAST(t *testing.T) {
	for _, pkg := range []string{"net/http", "encoding/json"} {
		root := filepath.Join(testfixture.GoRoot(t), "src", pkg)
		ours := countFunctions(t, root, "go")
		ref := map[string]int{}
		fset := token.NewFileSet()
		for path := range ours {
			f, err := parser.ParseFile(fset, filepath.Join(root, path), nil, parser.SkipObjectResolution)
			if err != nil {
				continue // not valid Go: only tree-sitter would see it
			}
			n := 0
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
					n++
				}
			}
			ref[path] = n
		}
		compareCounts(t, pkg, ours, ref, 0)
	}
}

// pythonCounter prints, for each .py file under the folders given, the
// number of def and async def statements Python's own ast module finds.
const pythonCounter = `
import ast, json, os, sys
out = {}
root = sys.argv[1]
for d, _, files in os.walk(root):
    for name in files:
        if not name.endswith(".py"):
            continue
        p = os.path.join(d, name)
        try:
            tree = ast.parse(open(p, encoding="utf-8").read())
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        out[os.path.relpath(p, root)] = sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in ast.walk(tree))
print(json.dumps(out))
`

// pythonDocstrings prints, for each def of the .py files under a folder,
// "path:line" and the docstring Python's ast module reads.
const pythonDocstrings = `
import ast, json, os, sys
root, out = sys.argv[1], {}
for d, _, files in os.walk(root):
    for name in files:
        if not name.endswith(".py"):
            continue
        p = os.path.join(d, name)
        try:
            tree = ast.parse(open(p, encoding="utf-8").read())
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for n in ast.walk(tree):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out[os.path.relpath(p, root) + ":" + str(n.lineno)] = ast.get_docstring(n) or ""
print(json.dumps(out))
`

// TestDocstringsMatchPythonAST compares the docstrings found in the email
// package with ast.get_docstring. They differ only where the source has
// escapes (kept as written here, evaluated by Python) or whitespace-only
// last lines (kept by Python 3.11's cleandoc).
func TestDocstringsMatchPythonAST(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	out, err := exec.Command(python, "-c", "import email, os; print(os.path.dirname(email.__file__))").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := strings.TrimSpace(string(out))
	if out, err = exec.Command(python, "-c", pythonDocstrings, root).Output(); err != nil {
		t.Fatal(err)
	}
	ref := map[string]string{}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	same, total := 0, 0
	forEachFile(t, root, "python", func(f fileEntry, _ []byte, fns []Function) {
		for _, fn := range fns {
			want, ok := ref[fmt.Sprintf("%s:%d", f.rel, fn.StartLine)]
			if !ok {
				continue
			}
			total++
			if strings.TrimSpace(want) == fn.Docstring {
				same++
			} else if !strings.Contains(want, "\\") && !strings.Contains(fn.Docstring, "\\") {
				t.Logf("%s:%d: docstring %q, ast %q", f.rel, fn.StartLine, fn.Docstring, want)
			}
		}
	})
	t.Logf("%s: %d of %d docstrings equal to ast.get_docstring", root, same, total)
	if total < len(ref) || float64(same) < 0.97*float64(total) {
		t.Errorf("%d functions compared of the %d ast has, %d docstrings equal", total, len(ref), same)
	}
}

// TestMatchesPythonAST compares the functions found in packages of the
// installed Python's standard library with Python's ast module.
func TestMatchesPythonAST(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	out, err := exec.Command(python, "-c", "import json, os; print(os.path.dirname(os.path.dirname(json.__file__)))").Output()
	if err != nil {
		t.Fatal(err)
	}
	stdlib := strings.TrimSpace(string(out))
	for _, pkg := range []string{"json", "email", "asyncio"} {
		root := filepath.Join(stdlib, pkg)
		out, err := exec.Command(python, "-c", pythonCounter, root).Output()
		if err != nil {
			t.Fatal(err)
		}
		ref := map[string]int{}
		if err := json.Unmarshal(out, &ref); err != nil {
			t.Fatal(err)
		}
		compareCounts(t, root, countFunctions(t, root, "python"), ref, 0.02)
	}
}
