package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/extract"
)

func extractCommand() *ucli.Command {
	df := dataset.DefaultFilters()
	return &ucli.Command{
		Name:      "extract",
		Usage:     "extract functions from repositories and folders into a clean, deduplicated dataset",
		ArgsUsage: "SOURCE... (a folder, a git URL with optional @ref, github.com/OWNER/NAME, or @list.txt)",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "dataset folder to write, e.g. datasets/NAME", Required: true},
			&ucli.StringFlag{Name: "cache", Usage: "folder for clones and per-source results", DefaultText: "the user cache folder + /codeloom", EnvVars: []string{"CODELOOM_CACHE"}},
			&ucli.StringFlag{Name: "token", Usage: "access token for private repositories over HTTPS", EnvVars: []string{"GITHUB_TOKEN"}},
			&ucli.IntFlag{Name: "jobs", Value: extract.DefaultJobs, Usage: "sources cloned and walked at once"},
			&ucli.IntFlag{Name: "workers", Usage: "parsing goroutines", DefaultText: "the number of CPUs"},
			&ucli.BoolFlag{Name: "force", Usage: "extract again the sources a previous run finished"},
			&ucli.StringFlag{Name: "languages", Usage: "comma-separated languages to extract, of " + strings.Join(extract.LanguageNames(), ","), DefaultText: "all"},
			&ucli.Int64Flag{Name: "max-file-bytes", Value: extract.DefaultMaxFileBytes, Usage: "skip larger files"},
			&ucli.DurationFlag{Name: "parse-timeout", Value: extract.DefaultParseTimeout, Usage: "give up on a file after this long"},
			&ucli.IntFlag{Name: "min-lines", Value: df.MinLines, Usage: "remove functions with fewer lines (0: no limit)"},
			&ucli.IntFlag{Name: "max-lines", Value: df.MaxLines, Usage: "remove functions with more lines (0: no limit)"},
			&ucli.IntFlag{Name: "min-chars", Value: df.MinChars, Usage: "remove functions with fewer bytes (0: no limit)"},
			&ucli.IntFlag{Name: "max-chars", Value: df.MaxChars, Usage: "remove functions with more bytes (0: no limit)"},
			&ucli.IntFlag{Name: "max-line-length", Value: df.MaxLineLength, Usage: "remove functions with a longer line (0: no limit)"},
			&ucli.Float64Flag{Name: "min-alphanumeric", Value: df.MinAlphanumeric, Usage: "remove functions with a smaller share of letters and digits"},
			&ucli.BoolFlag{Name: "include-tests", Usage: "keep test functions"},
			&ucli.BoolFlag{Name: "require-docstring", Usage: "keep only documented functions"},
			&ucli.StringFlag{Name: "licenses", Value: "any", Usage: "repository licences to keep: any, permissive, or SPDX ids (MIT,Apache-2.0); permissive and lists drop repositories without a recognised licence"},
			&ucli.Float64Flag{Name: "dedup-threshold", Value: dataset.DefaultNearThreshold, Usage: "Jaccard similarity of token shingles above which functions are near duplicates"},
			&ucli.BoolFlag{Name: "exact-dedup-only", Usage: "remove only exact duplicates"},
			&ucli.Float64Flag{Name: "val-ratio", Value: dataset.DefaultValRatio, Usage: "share of files whose functions go to the validation split (0: none)"},
			&ucli.IntFlag{Name: "shard-records", Value: dataset.DefaultShardRecords, Usage: "records per shard"},
			&ucli.StringFlag{Name: "format", Value: "jsonl", Usage: "jsonl, or parquet to write every shard as Parquet too"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar"},
		},
		Action: runExtract,
	}
}

func runExtract(c *ucli.Context) error {
	if c.NArg() == 0 {
		return usageError("extract: give at least one SOURCE")
	}
	opts, err := extractOptions(c)
	if err != nil {
		return err
	}
	spareProcessor(opts.Workers)
	stop := showProgress(c, opts.Progress)
	m, err := extract.Run(c.Context, opts)
	stop()
	if err != nil {
		return err
	}
	return reportExtract(c.App.Writer, c.App.ErrWriter, opts.Out, m)
}

// spareProcessor raises GOMAXPROCS to one more than extraction's parsing
// workers (0: one per CPU, extract's default), for the rest of the process.
// The workers spend most of their time in calls into C, during which their
// processor counts as in a system call; when no processor is idle the
// runtime's monitor takes it away after 20 µs and the worker has to win one
// back when the call returns. With as many workers as processors that cost
// extraction about 5% of its CPU time (measured on 2 cores: 40% more
// context switches, a third more system time); one idle processor, which
// the monitor leaves the calls alone for, saves it. The command sets it,
// not extract: a library does not change the whole process's scheduler.
func spareProcessor(workers int) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	if runtime.GOMAXPROCS(0) <= workers {
		runtime.GOMAXPROCS(workers + 1)
	}
}

func extractOptions(c *ucli.Context) (extract.Options, error) {
	licenses, err := dataset.ParseLicensePolicy(c.String("licenses"))
	if err != nil {
		return extract.Options{}, usageError("extract: --licenses: %v", err)
	}
	valRatio := c.Float64("val-ratio")
	if valRatio < 0 || valRatio >= 1 {
		return extract.Options{}, usageError("extract: --val-ratio must be in [0, 1)")
	}
	if valRatio == 0 {
		valRatio = -1 // Options reads 0 as the default
	}
	threshold := c.Float64("dedup-threshold")
	if threshold <= 0 || threshold > 1 {
		return extract.Options{}, usageError("extract: --dedup-threshold must be in (0, 1]")
	}
	format := c.String("format")
	if format != "jsonl" && format != "parquet" {
		return extract.Options{}, usageError("extract: --format must be jsonl or parquet")
	}
	var langs []string
	for _, l := range strings.Split(c.String("languages"), ",") {
		if l = strings.TrimSpace(l); l != "" {
			if extract.LanguageByName(l) == nil {
				return extract.Options{}, usageError("extract: unknown language %q (known: %s)", l, strings.Join(extract.LanguageNames(), ", "))
			}
			langs = append(langs, l)
		}
	}
	return extract.Options{
		Sources:      c.Args().Slice(),
		Out:          c.String("out"),
		CacheDir:     c.String("cache"),
		Token:        c.String("token"),
		Jobs:         c.Int("jobs"),
		Workers:      c.Int("workers"),
		Force:        c.Bool("force"),
		Languages:    langs,
		MaxFileBytes: c.Int64("max-file-bytes"),
		ParseTimeout: c.Duration("parse-timeout"),
		Filters: dataset.Filters{
			MinLines: c.Int("min-lines"), MaxLines: c.Int("max-lines"),
			MinChars: c.Int("min-chars"), MaxChars: c.Int("max-chars"),
			MaxLineLength:    c.Int("max-line-length"),
			MinAlphanumeric:  c.Float64("min-alphanumeric"),
			IncludeTests:     c.Bool("include-tests"),
			RequireDocstring: c.Bool("require-docstring"),
			Licenses:         licenses,
		},
		Dedup:        dataset.DedupOptions{NearThreshold: threshold, ExactOnly: c.Bool("exact-dedup-only")},
		ValRatio:     valRatio,
		ShardRecords: c.Int("shard-records"),
		Parquet:      format == "parquet",
		Tool:         "codeloom " + Version,
		Progress:     &extract.Progress{},
	}, nil
}

// showProgress draws a bar of sources done, with files and functions, on a
// terminal; it returns the function that stops it.
func showProgress(c *ucli.Context, p *extract.Progress) func() {
	f, ok := c.App.ErrWriter.(*os.File)
	if c.Bool("quiet") || !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("extract"),
		progressbar.OptionSpinnerType(14), progressbar.OptionClearOnFinish())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				bar.Finish()
				return
			case <-t.C:
				bar.ChangeMax64(p.SourcesTotal.Load())
				bar.Describe(fmt.Sprintf("sources, %d files, %d functions", p.Files.Load(), p.Functions.Load()))
				bar.Set64(p.SourcesDone.Load())
			}
		}
	}()
	return func() { cancel(); <-done }
}

// reportExtract prints a summary and the failed sources; it fails when no
// source succeeded.
func reportExtract(w, ew io.Writer, out string, m *dataset.Manifest) error {
	failed := 0
	for _, s := range m.Sources {
		if s.Status != extract.StatusOK {
			failed++
			fmt.Fprintf(ew, "failed: %s: %s\n", s.Source, s.Error)
		}
	}
	t := m.Total
	fmt.Fprintf(w, "%s: %d functions kept (train %d, validation %d) of %d found in %d files from %d sources",
		out, t.Kept, m.Splits[dataset.SplitTrain], m.Splits[dataset.SplitValidation], t.Functions, t.FilesSeen, len(m.Sources))
	if failed > 0 {
		fmt.Fprintf(w, ", %d failed", failed)
	}
	fmt.Fprintf(w, "; removed %d exact and %d near duplicates\n", t.DuplicateExact, t.DuplicateNear)
	if failed == len(m.Sources) {
		return ucli.Exit("extract: every source failed", 1)
	}
	return nil
}
