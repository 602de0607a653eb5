package eval

import "strings"

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
	return 1 - float64(levenshtein(a, b))/float64(longest)
}

// levenshtein is the edit distance (insert, delete, substitute, each 1) in
// O(len(a)·len(b)) time and O(len(b)) memory.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
