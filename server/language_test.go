package server_test

import (
	"testing"

	"github.com/codeloom/codeloom/server"
	"github.com/codeloom/codeloom/server/treesitter"
)

// languageSamples are short functions of the kind codeloom's datasets hold,
// with no file name to go by.
var languageSamples = map[string]string{
	"go":         "func (s *Stack) Push(v int) {\n\ts.items = append(s.items, v)\n}\n",
	"python":     "def mean(xs):\n    if not xs:\n        return None\n    return sum(xs) / len(xs)\n",
	"javascript": "function debounce(fn, ms) {\n  let t;\n  return (...args) => {\n    clearTimeout(t);\n    t = setTimeout(() => fn(...args), ms);\n  };\n}\n",
	"typescript": "function clamp(x: number, lo: number, hi: number): number {\n  return Math.min(Math.max(x, lo), hi);\n}\n",
	"java":       "public static int max(int[] xs) {\n    int best = xs[0];\n    for (int x : xs) {\n        if (x > best) best = x;\n    }\n    return best;\n}\n",
	"c":          "#include <stdio.h>\n\nint count(const char *s) {\n    int n = 0;\n    while (*s++) n++;\n    return n;\n}\n",
	"cpp":        "template <typename T>\nT sum(const std::vector<T>& v) {\n    T total{};\n    for (const auto& x : v) total += x;\n    return total;\n}\n",
	"csharp":     "public override string ToString()\n{\n    return $\"{Name} ({Age})\";\n}\npublic int Age { get; set; }\n",
	"rust":       "pub fn parse(s: &str) -> Option<u32> {\n    let mut n = 0;\n    for c in s.chars() {\n        n = n * 10 + c.to_digit(10)?;\n    }\n    Some(n)\n}\n",
	"ruby":       "def greet(name)\n  puts \"Hello, #{name}\"\nend\n",
	"php":        "<?php\nfunction total($items) {\n    return array_sum(array_map(fn($i) => $i->price, $items));\n}\n",
	"kotlin":     "fun fib(n: Int): Int {\n    val a = 0\n    return if (n < 2) n else fib(n - 1) + fib(n - 2)\n}\n",
	"swift":      "func area(of r: Double) -> Double {\n    guard let pi = Double(\"3.14159\") else { return 0 }\n    return pi * r * r\n}\n",
	"scala":      "def square(x: Int): Int = x * x\nobject Main {\n  val xs = List(1, 2, 3).map(square)\n}\n",
}

func TestClassifyLanguage(t *testing.T) {
	scorers := map[string]server.SyntaxScorer{"heuristics": nil, "syntax+heuristics": treesitter.Scorer{}}
	for name, scorer := range scorers {
		t.Run(name, func(t *testing.T) {
			for want, src := range languageSamples {
				got := server.ClassifyLanguage(src, scorer)
				if got[0].Language != want {
					t.Errorf("%s classified as %s (%+v)", want, got[0].Language, got[:3])
				}
				if scorer != nil && got[0].SyntaxErrors == nil {
					t.Errorf("%s: the parser was not asked", want)
				}
			}
		})
	}
	if got := server.ClassifyLanguage("hello there, how are you", nil); got[0].Score != 0 {
		t.Fatalf("prose scored as code: %+v", got[0])
	}
}
