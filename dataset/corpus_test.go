package dataset

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// corpusChunkLines is how many lines of a Go source file stand in for one
// function in the benchmarks and equivalence tests.
const corpusChunkLines = 60

var corpus struct {
	once sync.Once
	recs []Record
}

// goCorpus cuts the Go standard library's sources into 60-line chunks, as
// records with a code, a signature (the first line) and a docstring (the
// leading comment lines), capped at max records. Tests that need it skip
// when GOROOT has no sources.
func goCorpus(tb testing.TB, max int) []Record {
	tb.Helper()
	corpus.once.Do(func() {
		if root, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
			corpus.recs = loadCorpus(filepath.Join(strings.TrimSpace(string(root)), "src"), 20000)
		}
	})
	if len(corpus.recs) == 0 {
		tb.Skip("no Go sources under GOROOT")
	}
	return corpus.recs[:min(max, len(corpus.recs))]
}

func loadCorpus(root string, max int) []Record {
	var recs []Record
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if len(recs) >= max {
			return filepath.SkipAll
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		lines := strings.SplitAfter(string(b), "\n")
		for i := 0; i < len(lines) && len(recs) < max; i += corpusChunkLines {
			recs = append(recs, chunkRecord(filepath.ToSlash(rel), lines[i:min(i+corpusChunkLines, len(lines))], i+1))
		}
		return nil
	})
	return recs
}

func chunkRecord(path string, lines []string, start int) Record {
	code := strings.TrimRight(strings.Join(lines, ""), "\n")
	var doc []string
	for _, l := range lines {
		c, ok := strings.CutPrefix(strings.TrimSpace(l), "//")
		if !ok {
			break
		}
		doc = append(doc, strings.TrimSpace(c))
	}
	return Record{
		ID: ID(code), Repo: "go", Path: path, License: "BSD-3-Clause", Language: "go",
		Name: "chunk", QualifiedName: "pkg.chunk", Kind: "function",
		Signature: strings.TrimSpace(lines[0]), Docstring: strings.Join(doc, "\n"), Code: code,
		StartLine: start, EndLine: start + len(lines) - 1, Complexity: 3, Tokens: refApproxTokens(code), Split: SplitTrain,
	}
}
