package extract

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-enry/go-enry/v2"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/source"
)

// The benchmarks below time the per-file work of a run that is not parsing,
// over the files of the bench tree (see benchRoot) that extraction reads.

// benchEntries lists the bench tree's files in every language.
func benchEntries(b *testing.B) []fileEntry {
	files, _, err := listFiles(context.Background(), benchRoot(b), nil, DefaultMaxFileBytes)
	if err != nil {
		b.Fatal(err)
	}
	return files
}

// BenchmarkReadSource reads every file and judges its content, as a worker
// of the pool does.
func BenchmarkReadSource(b *testing.B) {
	files := benchEntries(b)
	var r sourceReader
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, f := range files {
			if _, reason, errText := r.read(f); reason == SkipReadError {
				b.Fatal(errText)
			}
		}
	}
}

// BenchmarkContentSkipReason judges the content of every file, read once.
func BenchmarkContentSkipReason(b *testing.B) {
	files := benchEntries(b)
	srcs := make([][]byte, len(files))
	var total int64
	for i, f := range files {
		src, err := os.ReadFile(f.abs)
		if err != nil {
			b.Fatal(err)
		}
		srcs[i], total = src, total+int64(len(src))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i, f := range files {
			contentSkipReason(f.rel, srcs[i])
		}
	}
}

// BenchmarkListFiles walks the bench tree as a run does.
func BenchmarkListFiles(b *testing.B) {
	root := benchRoot(b)
	b.ReportAllocs()
	for range b.N {
		if _, _, err := listFiles(context.Background(), root, nil, DefaultMaxFileBytes); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPaths is every path below the bench tree, folders ending in a slash,
// as the walk asks about them.
func benchPaths(b *testing.B) []string {
	root := benchRoot(b)
	var paths []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			rel += "/"
		}
		paths = append(paths, rel)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return paths
}

// BenchmarkIsVendor asks about every path of the bench tree: enry's one
// regexp, and the rules with their literals.
func BenchmarkIsVendor(b *testing.B) {
	paths := benchPaths(b)
	for _, c := range []struct {
		name string
		fn   func(string) bool
	}{{"enry", enry.IsVendor}, {"rules", isVendor}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				for _, p := range paths {
					c.fn(p)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(paths)), "ns/path")
		})
	}
}

// benchResults are the kept records of the bench tree's first Go files,
// as workers hand them to writeParts.
func benchResults(b *testing.B) ([]fileResult, int64) {
	files, srcs, _ := benchFiles(b)
	run := &sourceRun{repo: "go", tree: source.Tree{Commit: "0123456789abcdef0123456789abcdef01234567"}, license: "BSD-3-Clause", filters: new(dataset.Filters)}
	p := NewParser(0)
	defer p.Close()
	lang := LanguageByName("go")
	results := make([]fileResult, min(len(srcs), 1500))
	var total int64
	for i := range results {
		fns, err := p.Functions(context.Background(), lang, srcs[i])
		if err != nil {
			b.Fatal(err)
		}
		run.keep(files[i].rel, fns, &results[i])
		for _, r := range results[i].records {
			total += int64(len(r.Code))
		}
	}
	return results, total
}

// BenchmarkParts writes the part files of a source and reads them back, as
// a run and its assembly do; bytes are those of the records' code.
func BenchmarkParts(b *testing.B) {
	results, total := benchResults(b)
	dir := b.TempDir()
	records, prints := filepath.Join(dir, "part"), filepath.Join(dir, "prints")
	b.Run("write", func(b *testing.B) {
		b.SetBytes(total)
		b.ReportAllocs()
		cpu0 := cpuSeconds()
		for range b.N {
			if err := writeParts(records, prints, results); err != nil {
				b.Fatal(err)
			}
		}
		reportCPUPerOp(b, cpu0)
	})
	b.Run("read", func(b *testing.B) {
		b.SetBytes(total)
		b.ReportAllocs()
		cpu0 := cpuSeconds()
		for range b.N {
			err := readPart(context.Background(), records, func(*dataset.Record) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			if err := readFingerprints(prints, func(*dataset.Fingerprint) {}); err != nil {
				b.Fatal(err)
			}
		}
		reportCPUPerOp(b, cpu0)
	})
}

// reportCPUPerOp reports the CPU time per op since cpu0, which the load of
// others on a shared machine sways less than the wall time.
func reportCPUPerOp(b *testing.B, cpu0 float64) {
	b.ReportMetric((cpuSeconds()-cpu0)*1e9/float64(b.N), "cpu-ns/op")
}
