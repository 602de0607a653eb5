package train

import (
	"runtime"
	"testing"
)

func TestFreeCores(t *testing.T) {
	if n := FreeCores(); n < 1 || n > runtime.NumCPU() {
		t.Fatalf("FreeCores() = %d with %d CPUs", n, runtime.NumCPU())
	}
	if n := physicalCores(); n < 1 || n > runtime.NumCPU() {
		t.Fatalf("physicalCores() = %d with %d CPUs", n, runtime.NumCPU())
	}
}
