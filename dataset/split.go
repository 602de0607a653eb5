package dataset

import "hash/fnv"

// DefaultValRatio is the share of files whose functions go to validation.
const DefaultValRatio = 0.2

// SplitFor assigns a file to a split by a hash of its repository and path,
// so the same file always lands on the same side, and all functions of a
// file land together: near-identical functions of one file (overloads,
// copies) cannot leak from training into validation.
func SplitFor(repo, path string, valRatio float64) string {
	h := fnv.New64a()
	h.Write([]byte(repo))
	h.Write([]byte{0})
	h.Write([]byte(path))
	if u := float64(h.Sum64()>>11) / (1 << 53); u < valRatio {
		return SplitValidation
	}
	return SplitTrain
}
