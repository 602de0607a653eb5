package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkAnalyze analyzes synthetic datasets of 100k and 1M records (8
// languages, 500 sources, up to 2M distinct files) and reports the peak heap
// in use while doing so, garbage not yet collected included. A peak that
// hardly grows with ten times the records is the evidence that analysis runs
// in bounded memory.
//
//	go test -run '^$' -bench Analyze -benchtime 1x ./analysis/
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			dir := writeSynthetic(b, filepath.Join(b.TempDir(), "synthetic"), n)
			runtime.GC() // leave the generator's garbage out of the peak
			peak := watchHeap()
			start := time.Now()
			for b.Loop() {
				r, err := Analyze(context.Background(), dir)
				if err != nil {
					b.Fatal(err)
				}
				if r.Total.Functions != n {
					b.Fatalf("analyzed %d functions of %d", r.Total.Functions, n)
				}
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(dirSize(b, dir))/(1<<20), "dataset-MB")
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "records/s")
		})
	}
}

// watchHeap samples the heap in use every few milliseconds until the
// returned function is called, which returns the largest sample.
func watchHeap() func() uint64 {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		return peak
	}
}

func dirSize(tb testing.TB, dir string) int64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			tb.Fatal(err)
		}
		n += info.Size()
	}
	return n
}
