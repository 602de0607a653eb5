package analysis

import (
	"crypto/sha1"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/dataset"
)

// A synthetic dataset for the HTML test and the benchmark: realistic
// proportions (languages by repository, log-spread lengths, half documented,
// a tenth in validation) written shard by shard, never held in memory.

var (
	synthLanguages = []string{"python", "go", "javascript", "typescript", "java", "rust", "c", "cpp"}
	synthLicenses  = []string{"MIT", "Apache-2.0", "MIT", "BSD-3-Clause", "GPL-3.0-only", ""}
)

const (
	synthRepos        = 500
	synthFilesPerRepo = 4000
	synthPerShard     = 100_000
)

// writeSynthetic writes n records with the dataset package's writer and a
// manifest whose counts agree with them, and returns the folder.
func writeSynthetic(tb testing.TB, dir string, n int) string {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	codes := synthCodes(rng)
	m := &dataset.Manifest{
		Tool: "codeloom synthetic", CreatedAt: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		Settings:  map[string]any{"min_lines": 3, "near_dup_threshold": 0.85, "validation_share": 0.1},
		Languages: map[string]*dataset.Counts{},
		Splits:    map[string]int{},
	}
	repoKept := make([]int, synthRepos)
	w, err := dataset.Create(dir, dataset.WriterOptions{ShardRecords: synthPerShard})
	if err != nil {
		tb.Fatal(err)
	}
	for range n {
		r := synthRecord(rng, codes)
		repoKept[repoIndex(r.Repo)]++
		c := m.Languages[r.Language]
		if c == nil {
			c = &dataset.Counts{}
			m.Languages[r.Language] = c
		}
		c.Kept++
		m.Splits[r.Split]++
		if err := w.Write(&r); err != nil {
			tb.Fatal(err)
		}
	}
	for _, c := range m.Languages {
		synthFunnel(c)
		m.Total.Add(c)
	}
	for i, kept := range repoKept {
		s := dataset.SourceStatus{
			Source: "https://" + synthRepo(i), Repo: synthRepo(i), Status: "ok",
			Commit: synthCommit(i), License: synthLicenses[i%len(synthLicenses)], Counts: dataset.Counts{Kept: kept},
		}
		synthFunnel(&s.Counts)
		if kept == 0 {
			s.Status, s.Error = "failed", "clone: authentication required"
		}
		m.Sources = append(m.Sources, s)
	}
	if err := w.Commit(m); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// synthFunnel makes up removals that add up from found to kept.
func synthFunnel(c *dataset.Counts) {
	c.Removed = map[string]int{"too_short": c.Kept / 5, "syntax_error": c.Kept / 40, "too_long": c.Kept / 100, "generated": c.Kept / 60}
	c.DuplicateExact, c.DuplicateNear = c.Kept/8, c.Kept/20
	c.Redactions = map[string]int{"email": c.Kept / 300, "api_key": c.Kept / 5000}
	c.Functions = c.Kept + c.DuplicateExact + c.DuplicateNear
	for _, n := range c.Removed {
		c.Functions += n
	}
	c.FilesSeen = c.Functions / 3
	c.FilesSkipped = c.FilesSeen / 50
}

func synthRepo(i int) string { return fmt.Sprintf("github.com/org%d/repo%d", i%97, i) }

func synthCommit(i int) string { return fmt.Sprintf("%x", sha1.Sum([]byte(synthRepo(i)))) }

func repoIndex(repo string) int {
	var org, i int
	fmt.Sscanf(repo, "github.com/org%d/repo%d", &org, &i)
	return i
}

// synthCodes returns function texts whose line counts spread like real code:
// most short, a long tail.
func synthCodes(rng *rand.Rand) []string {
	codes := make([]string, 512)
	for i := range codes {
		lines := 1 + int(rng.ExpFloat64()*12)
		var b strings.Builder
		for l := range lines {
			fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", 1+l%3), strings.Repeat("x", 4+rng.IntN(30)))
		}
		codes[i] = b.String()
	}
	return codes
}

func synthRecord(rng *rand.Rand, codes []string) dataset.Record {
	// Repository sizes are skewed: low indexes hold more functions.
	repo := int(rng.ExpFloat64()*synthRepos/4) % synthRepos
	lang := synthLanguages[repo%len(synthLanguages)]
	code := codes[rng.IntN(len(codes))]
	r := dataset.Record{
		ID:         fmt.Sprintf("%016x", rng.Uint64()),
		Repo:       synthRepo(repo),
		Commit:     synthCommit(repo),
		Path:       fmt.Sprintf("src/pkg%d/file%d.%s", repo%13, rng.IntN(synthFilesPerRepo), lang),
		License:    synthLicenses[repo%len(synthLicenses)],
		Language:   lang,
		Name:       "fn",
		Kind:       "function",
		Signature:  "fn()",
		Code:       code,
		StartLine:  1,
		EndLine:    strings.Count(code, "\n"),
		Complexity: 1 + int(rng.ExpFloat64()*3),
		Tokens:     len(code) / 4,
		Split:      dataset.SplitTrain,
	}
	if rng.IntN(2) == 0 {
		r.Docstring = "Does the thing."
	}
	if rng.IntN(10) == 0 {
		r.Split = dataset.SplitValidation
	}
	return r
}
