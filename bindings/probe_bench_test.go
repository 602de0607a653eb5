package bindings

import (
	"context"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

// BenchmarkProbeLoad measures what the server's load probe adds to the
// first load of a file (a child process that loads, tokenizes and decodes)
// against the in-process load it precedes. Each probe iteration uses a new
// cache so the child really runs.
func BenchmarkProbeLoad(b *testing.B) {
	path := testfixture.Path(b, "stories260K.gguf")
	b.Run("probe", func(b *testing.B) {
		for range b.N {
			probes.Lock()
			clear(probes.done)
			probes.Unlock()
			if err := ProbeLoad(context.Background(), path, "", ModelParams{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		for range b.N {
			if err := ProbeLoad(context.Background(), path, "", ModelParams{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load", func(b *testing.B) {
		for range b.N {
			m, err := LoadModel(path, ModelParams{})
			if err != nil {
				b.Fatal(err)
			}
			m.Close()
		}
	})
	b.Run("checks", func(b *testing.B) {
		for range b.N {
			if err := checkGGUF("model", path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
