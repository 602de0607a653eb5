package bindings

import (
	"runtime"
	"testing"
)

func TestDefaultThreads(t *testing.T) {
	if n := DefaultThreads(); n < 1 || n > runtime.NumCPU() {
		t.Fatalf("DefaultThreads() = %d with %d CPUs", n, runtime.NumCPU())
	}
	if n := physicalCores(); n < 1 || n > runtime.NumCPU() {
		t.Fatalf("physicalCores() = %d with %d CPUs", n, runtime.NumCPU())
	}
}
