// Package editdist is the Levenshtein edit distance, shared by the
// similarity score of eval and the "did you mean" hints of the command line
// and the pipeline's configuration.
package editdist

// Distance is the number of insertions, deletions and substitutions (each
// 1) that turn a into b, in O(len(a)·len(b)) time and O(len(b)) memory.
// Callers choose the unit: runes for text, bytes for ASCII names.
func Distance[T comparable](a, b []T) int {
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
