package dataset

// Facts are what the parser knows about a function beyond its Record; the
// filters that need the syntax tree read them.
type Facts struct {
	SyntaxError bool // ERROR or MISSING nodes inside the function
	Trivial     bool // empty body, or only pass/return/raise/throw
}
