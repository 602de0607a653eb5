package extract

import (
	"runtime"
	"testing"
)

// TestReserveProcs checks that runs raise GOMAXPROCS to their workers + 1
// and that the process's own setting comes back when the last one ends.
func TestReserveProcs(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	first := reserveProcs(prev)
	if got := runtime.GOMAXPROCS(0); got != prev+1 {
		t.Fatalf("%d workers: GOMAXPROCS %d, want %d", prev, got, prev+1)
	}
	second := reserveProcs(prev + 2)
	small := reserveProcs(1)
	if got := runtime.GOMAXPROCS(0); got != prev+3 {
		t.Fatalf("runs of %d, %d and 1 workers: GOMAXPROCS %d, want %d", prev, prev+2, got, prev+3)
	}
	first()
	small()
	if got := runtime.GOMAXPROCS(0); got != prev+3 {
		t.Fatalf("a run still holds a reservation, but GOMAXPROCS fell to %d", got)
	}
	second()
	if got := runtime.GOMAXPROCS(0); got != prev {
		t.Fatalf("after the last run GOMAXPROCS is %d, want the process's %d", got, prev)
	}
}
