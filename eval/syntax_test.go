package eval

import "testing"

func TestGrammars(t *testing.T) {
	g := NewGrammars()
	defer g.Close()
	tests := []struct {
		lang, src string
		valid, ok bool
	}{
		{"go", "func f() int {\n\treturn 1\n}\n", true, true},
		{"go", "func f() int {\n\treturn 1\n", false, true}, // MISSING }
		{"python", "def f(x):\n    return x * 2\n", true, true},
		{"python", "def f(x):\n    return x *\n", false, true}, // ERROR
		{"golang", "func f() {}\n", true, true},                // an alias
		{"cobol", "DISPLAY 'HI'.", false, false},
	}
	for _, tt := range tests {
		valid, ok := g.Valid(tt.lang, tt.src)
		if valid != tt.valid || ok != tt.ok {
			t.Errorf("Valid(%s, %q) = %v, %v; want %v, %v", tt.lang, tt.src, valid, ok, tt.valid, tt.ok)
		}
	}
}
