package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestFunctionsPerLanguage checks, for a realistic file of every language,
// the exact functions found: kind, qualified name, lines, complexity,
// trivial bodies and docstrings. Declarations without bodies (abstract
// methods, prototypes, interface members) and anonymous functions must not
// appear.
func TestFunctionsPerLanguage(t *testing.T) {
	cases := []struct {
		file, lang string
		want       []string // pairs: "kind qualified_name start-end cx=N [trivial]", docstring
	}{
		{"Sample.cs", "csharp", []string{
			`constructor Greeter.Greeter 11-14 cx=1`, "Makes a greeter.",
			`method Greeter.Greet 19-24 cx=2`, "Greets.",
			`function Greeter.Greet.Shout 22-22 cx=1`, "",
			`method Pair.Sum 31-31 cx=1`, "",
		}},
		{"Sample.java", "java", []string{
			`constructor Sample.Sample 13-15 cx=1`, "Creates a sample.\n@param n the number",
			`method Sample.twice 18-21 cx=2`, "Returns n doubled.",
			`method Sample.Visitor.done 28-30 cx=1`, "",
			`method Sample.Color.next 36-38 cx=1`, "",
			`method Handlers.make 43-50 cx=1`, "",
			`method Handlers.make.run 45-48 cx=1`, "",
		}},
		{"header.h", "cpp", []string{ // a C header that uses C++
			`function join 7-9 cx=1`, "Joins two strings.",
		}},
		{"sample.c", "c", []string{
			`function max 4-6 cx=2`, "Computes the maximum.",
			`function greet 10-14 cx=2`, "Prints a greeting.\nTwice.",
			`function split 18-20 cx=1`, "",
		}},
		{"sample.cpp", "cpp", []string{
			`constructor Point.Point 9-9 cx=1 trivial`, "Makes a point.",
			`method Point.~Point 10-10 cx=1 trivial`, "",
			`method Point.x 12-12 cx=1`, "",
			`function clamp 19-23 cx=3`, "",
			`method Point.dist2 26-29 cx=1`, "Squared distance.",
		}},
		{"sample.go", "go", []string{
			`method Stack.Push 14-16 cx=1`, "Push adds v on top.\nIt never fails.",
			`method Stack.Pop 19-27 cx=3`, "Pop removes the top.",
			`function helper 29-38 cx=3`, "",
		}},
		{"sample.js", "javascript", []string{
			`function add 7-9 cx=1`, "Adds two numbers.\n@param {number} a",
			`constructor Counter.constructor 12-15 cx=1`, "",
			`method Counter.inc 18-23 cx=3`, "Increments the counter.",
			`function double 27-27 cx=1`, "",
			`method module.exports.triple 29-31 cx=1`, "",
		}},
		{"sample.kt", "kotlin", []string{
			`function add 6-6 cx=1`, "Adds two numbers.",
			`constructor Account.constructor 9-11 cx=1`, "",
			`method Account.deposit 14-19 cx=3`, "Deposits money.",
			`method Account.Companion.create 22-24 cx=1`, "",
			`method Registry.lookup 29-34 cx=3`, "",
		}},
		{"sample.php", "php", []string{
			`function add 8-11 cx=1`, "Adds two numbers.",
			`constructor User.__construct 15-17 cx=1 trivial`, "",
			`method User.display 22-28 cx=3`, "Returns the display name.",
		}},
		{"sample.py", "python", []string{
			`function add 5-10 cx=1`, "Return the sum of a and b.\n\nWorks for any numbers.",
			`constructor Stack.__init__ 16-17 cx=2`, "",
			`method Stack.top 20-22 cx=2`, "",
			`method Stack.drain 24-27 cx=2`, "Empty the stack.",
			`function outer 30-33 cx=3`, "",
			`function outer.inner 31-32 cx=1`, "",
			`function todo 36-37 cx=1 trivial`, "",
		}},
		{"sample.rb", "ruby", []string{
			`method Util.format 6-8 cx=1`, "Formats a name.\nCapitalized.",
			`constructor Account.Ledger.initialize 12-15 cx=1`, "",
			`method Account.Ledger.add 18-21 cx=2`, "Adds an entry.",
			`method Account.Ledger.empty_method 23-24 cx=1 trivial`, "",
		}},
		{"sample.rs", "rust", []string{
			`function add_one 7-9 cx=1`, "Adds one.\n\n# Examples",
			`method Point.new 17-19 cx=1`, "Makes a point.",
			`method Point.norm 22-24 cx=2`, "",
			`method Wrapper.area 28-33 cx=3`, "",
			`method Shape.name 38-40 cx=1`, "",
		}},
		{"sample.scala", "scala", []string{
			`method MathUtil.add 6-6 cx=1`, "Adds two numbers.",
			`method MathUtil.sign 8-10 cx=3`, "",
			`constructor Account.this 14-14 cx=1`, "",
			`method Account.greet 16-21 cx=3`, "",
			`method Shape.name 26-26 cx=1`, "",
		}},
		{"sample.swift", "swift", []string{
			`function add 4-6 cx=1`, "Adds two numbers.",
			`constructor Counter.init 12-14 cx=1`, "Makes a counter.",
			`method Counter.increment 16-21 cx=2`, "",
			`method Counter.reset 26-28 cx=1`, "Resets the counter.",
			`method Point.norm 32-34 cx=1`, "",
		}},
		{"sample.ts", "typescript", []string{
			`method Base.describe 12-14 cx=1`, "Describes the shape.",
			`constructor Circle.constructor 18-20 cx=1`, "",
			`method Circle.area 22-24 cx=1`, "",
			`function sum 28-28 cx=1`, "Sums values.",
			`function overload 31-33 cx=1`, "",
		}},
		{"sample.tsx", "tsx", []string{
			`function Greeting 4-6 cx=1`, "Greets someone.",
			`method Panel.render 9-11 cx=2`, "",
		}},
	}
	p := NewParser(0)
	defer p.Close()
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "lang", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			lang := DetectLanguage(tc.file, src)
			if lang == nil || lang.Name != tc.lang {
				t.Fatalf("DetectLanguage(%s) = %v, want %s", tc.file, lang, tc.lang)
			}
			fns, err := p.Functions(context.Background(), lang, src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fns {
				line := fmt.Sprintf("%s %s %d-%d cx=%d", f.Kind, f.QualifiedName, f.StartLine, f.EndLine, f.Complexity)
				if f.Facts.Trivial {
					line += " trivial"
				}
				got = append(got, line, f.Docstring)
				if f.Facts.SyntaxError {
					t.Errorf("%s: syntax error reported in valid code", f.QualifiedName)
				}
				if f.Language != tc.lang {
					t.Errorf("%s: language %q", f.QualifiedName, f.Language)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("found %d functions, want %d:\n%q", len(got)/2, len(tc.want)/2, got)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("function %d: got %q, want %q", i/2, got[i], tc.want[i])
				}
			}
		})
	}
}
