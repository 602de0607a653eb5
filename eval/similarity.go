package eval

import (
	"strings"

	"github.com/codeloom/codeloom/internal/editdist"
)

// Normalize is the form in which exact match compares code: trailing spaces
// of every line, and blank lines at the start and end, do not count.
func Normalize(code string) string {
	lines := strings.Split(strings.ReplaceAll(code, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// ExactMatch reports whether candidate and reference are equal after Normalize.
func ExactMatch(candidate, reference string) bool {
	return Normalize(candidate) == Normalize(reference)
}

// EditSimilarity is 1 - Levenshtein(a, b) / max(len(a), len(b)) over the
// Unicode characters of the normalized texts: 1 for equal texts, 0 for texts
// with nothing in common; two empty texts are equal.
func EditSimilarity(candidate, reference string) float64 {
	a, b := []rune(Normalize(candidate)), []rune(Normalize(reference))
	longest := max(len(a), len(b))
	if longest == 0 {
		return 1
	}
	return 1 - float64(editdist.Distance(a, b))/float64(longest)
}
