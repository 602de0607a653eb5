package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/internal/testfixture"
)

// benchRoot is the tree the benchmarks read: CODELOOM_BENCH_SRC, or the Go
// toolchain's own source tree.
func benchRoot(b *testing.B) string {
	if dir := os.Getenv("CODELOOM_BENCH_SRC"); dir != "" {
		return dir
	}
	return filepath.Join(testfixture.GoRoot(b), "src")
}

// benchFiles reads the Go files of the bench tree the way extraction
// selects them.
func benchFiles(b *testing.B) ([]fileEntry, [][]byte, int64) {
	files, _, err := listFiles(context.Background(), benchRoot(b), map[string]bool{"go": true}, DefaultMaxFileBytes)
	if err != nil {
		b.Fatal(err)
	}
	var srcs [][]byte
	var total int64
	for _, f := range files {
		r := new(sourceReader) // a reader per file: the benchmarks keep every source
		src, reason, _ := r.read(f)
		r.close()
		if reason != "" {
			continue
		}
		srcs = append(srcs, src)
		total += int64(len(src))
	}
	return files, srcs, total
}

// BenchmarkParse is tree-sitter's raw speed: parse and close, nothing else,
// with 1 and 2 goroutines, each with its own parser, claiming the files
// from an atomic counter as extraction's workers do, so each worker count
// of BenchmarkExtract has its like to compare with.
func BenchmarkParse(b *testing.B) {
	_, srcs, total := benchFiles(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(total)
			cpu0 := cpuSeconds()
			for range b.N {
				rawParse(b, srcs, workers)
			}
			reportPerCPU(b, cpu0, total*int64(b.N), 0)
		})
	}
}

// rawParse parses and closes every source with workers goroutines.
func rawParse(b *testing.B, srcs [][]byte, workers int) {
	lang := LanguageByName("go")
	var claimed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			p := NewParser(0)
			defer p.Close()
			for i := int(claimed.Add(1) - 1); i < len(srcs); i = int(claimed.Add(1) - 1) {
				tree, err := p.parse(context.Background(), lang, srcs[i])
				if err != nil {
					b.Error(err)
					continue
				}
				tree.Close()
			}
		})
	}
	wg.Wait()
}

// BenchmarkFunctions is parsing plus the extraction walk, on one goroutine.
func BenchmarkFunctions(b *testing.B) {
	_, srcs, total := benchFiles(b)
	lang := LanguageByName("go")
	p := NewParser(0)
	defer p.Close()
	b.SetBytes(total)
	b.ResetTimer()
	cpu0 := cpuSeconds()
	n := 0
	for range b.N {
		for _, src := range srcs {
			fns, err := p.Functions(context.Background(), lang, src)
			if err != nil {
				b.Fatal(err)
			}
			n += len(fns)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "functions/s")
	reportPerCPU(b, cpu0, total*int64(b.N), int64(n))
}

// BenchmarkExtract is the whole run (walk, read, parse, filter, redact,
// dedup, split, write) with 1 and 2 parsing workers.
func BenchmarkExtract(b *testing.B) {
	root := benchRoot(b)
	// Bytes are those of the files parsed, as in BenchmarkParse; the
	// manifest's byte count also has the files skipped unread (too large).
	_, _, parsed := benchFiles(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var m *dataset.Manifest
			cpu0 := cpuSeconds()
			for range b.N {
				m = extractRun(b, root, workers)
			}
			b.SetBytes(parsed)
			b.ReportMetric(float64(m.Total.Functions)*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
			b.ReportMetric(peakRSSMB(), "peak-MB")
			reportPerCPU(b, cpu0, parsed*int64(b.N), int64(m.Total.Functions)*int64(b.N))
		})
	}
}

// extractRun extracts the Go files of root into a fresh dataset, with
// GOMAXPROCS one above the workers, as the extract command sets it.
func extractRun(b *testing.B, root string, workers int) *dataset.Manifest {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(workers+1, runtime.GOMAXPROCS(0))))
	m, err := Run(context.Background(), Options{
		Sources: []string{root}, Out: filepath.Join(b.TempDir(), "ds"), CacheDir: b.TempDir(),
		Workers: workers, Languages: []string{"go"}, Filters: dataset.DefaultFilters(),
	})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkRatio is the whole run's per-CPU speed as a share of the raw
// parse's (BenchmarkExtract over BenchmarkParse), with 1 and 2 workers,
// measured in pairs: each iteration times a raw parse and then a whole
// run, each after a collection so that neither pays for the other's
// garbage. Pairs seconds apart see the same machine, where the separate
// benchmarks, minutes apart, see a shared machine's drift.
func BenchmarkRatio(b *testing.B) {
	root := benchRoot(b)
	_, srcs, total := benchFiles(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var parseCPU, runCPU float64
			for range b.N {
				runtime.GC()
				cpu0 := cpuSeconds()
				rawParse(b, srcs, workers)
				parseCPU += cpuSeconds() - cpu0
				runtime.GC()
				cpu0 = cpuSeconds()
				extractRun(b, root, workers)
				runCPU += cpuSeconds() - cpu0
			}
			mb := float64(total) * float64(b.N) / 1e6
			b.ReportMetric(mb/parseCPU, "parse-MB/cpu-s")
			b.ReportMetric(mb/runCPU, "run-MB/cpu-s")
			b.ReportMetric(100*parseCPU/runCPU, "%-of-parse")
		})
	}
}

// BenchmarkDedup feeds the functions of the bench tree to a Deduper.
func BenchmarkDedup(b *testing.B) {
	_, srcs, _ := benchFiles(b)
	lang := LanguageByName("go")
	p := NewParser(0)
	defer p.Close()
	var codes []string
	for _, src := range srcs {
		fns, err := p.Functions(context.Background(), lang, src)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range fns {
			codes = append(codes, f.Code)
		}
	}
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for range b.N {
		d := dataset.NewDeduper(dataset.DedupOptions{})
		for _, c := range codes {
			d.Add(c)
		}
	}
	b.ReportMetric(float64(len(codes))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(len(codes))*float64(b.N)/cpu, "records/cpu-s")
	}
}

// cpuSeconds is the CPU time (user and system) the process used so far.
// On a shared machine wall time swings with the load of others; MB per
// CPU-second is the per-core speed.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// reportPerCPU reports MB and functions per CPU-second since cpu0.
func reportPerCPU(b *testing.B, cpu0 float64, bytes, functions int64) {
	cpu := cpuSeconds() - cpu0
	if cpu <= 0 {
		return
	}
	b.ReportMetric(float64(bytes)/1e6/cpu, "MB/cpu-s")
	if functions > 0 {
		b.ReportMetric(float64(functions)/cpu, "functions/cpu-s")
	}
}

// peakRSSMB is the process's peak resident memory so far, in MB.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
