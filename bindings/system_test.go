package bindings

import (
	"runtime"
	"slices"
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

func TestCompareCPU(t *testing.T) {
	compiled := map[string]bool{"AVX": true, "AVX2": false, "FMA": false, "AVX512": false}
	host := map[string]bool{"avx": true, "avx2": true, "fma": true}
	f := compareCPU(compiled, host)
	if !slices.Equal(f.Compiled, []string{"AVX"}) || !slices.Equal(f.Missing, []string{"AVX2", "FMA"}) {
		t.Errorf("compareCPU = %+v, want AVX compiled and AVX2, FMA missing (AVX512 absent on the host)", f)
	}
}
