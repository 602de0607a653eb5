package analysis

import "github.com/codeloom/codeloom/internal/atomicfile"

// WriteJSON writes v (a *Report or a *Comparison) as indented JSON to path,
// atomically.
func WriteJSON(path string, v any) error {
	return atomicfile.WriteJSON(path, v)
}
