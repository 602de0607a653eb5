package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/codeloom/codeloom/dataset"
)

// Defaults of Options.
const (
	DefaultJobs         = 4
	DefaultMaxFileBytes = 1 << 20
)

// Options configure Run. The zero value of every field but Sources and Out
// means its documented default.
type Options struct {
	Sources []string // folders, git URLs (with @ref), @list files
	Out     string   // dataset folder to write, e.g. datasets/NAME

	CacheDir string // clones and per-source results; default <user cache dir>/codeloom
	Token    string // for private repositories over HTTPS (GITHUB_TOKEN)
	Jobs     int    // sources fetched and walked at once; default DefaultJobs
	Workers  int    // parsing goroutines shared by all sources; default the number of CPUs
	Force    bool   // extract again sources a previous run finished

	Languages    []string      // registry names to extract; empty means all
	MaxFileBytes int64         // larger files are skipped; default DefaultMaxFileBytes
	ParseTimeout time.Duration // per file; default DefaultParseTimeout

	Filters  dataset.Filters
	Dedup    dataset.DedupOptions
	ValRatio float64 // share of files in validation; 0 means dataset.DefaultValRatio, negative none

	ShardRecords int       // records per shard; default dataset.DefaultShardRecords
	Parquet      bool      // also write Parquet shards
	Tool         string    // written into the manifest, e.g. "codeloom 0.1.0"
	Progress     *Progress // optional live counters
}

// Progress counts what a Run has done so far; read it from any goroutine.
type Progress struct {
	SourcesTotal, SourcesDone, Files, Functions atomic.Int64
}

func (o *Options) setDefaults() error {
	if o.Out == "" {
		return fmt.Errorf("extract: no output folder")
	}
	if o.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("extract: no cache folder: %w", err)
		}
		o.CacheDir = filepath.Join(dir, "codeloom")
	}
	if o.Jobs <= 0 {
		o.Jobs = DefaultJobs
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.ParseTimeout <= 0 {
		o.ParseTimeout = DefaultParseTimeout
	}
	switch {
	case o.ValRatio == 0:
		o.ValRatio = dataset.DefaultValRatio
	case o.ValRatio < 0:
		o.ValRatio = 0
	case o.ValRatio >= 1:
		return fmt.Errorf("extract: validation ratio %g must be below 1", o.ValRatio)
	}
	for _, l := range o.Languages {
		if LanguageByName(l) == nil {
			return fmt.Errorf("extract: unknown language %q (known: %v)", l, LanguageNames())
		}
	}
	if o.Progress == nil {
		o.Progress = &Progress{}
	}
	return nil
}

// languageSet is the registry names of o.Languages, nil for all.
func (o *Options) languageSet() map[string]bool {
	if len(o.Languages) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, l := range o.Languages {
		m[LanguageByName(l).Name] = true
	}
	return m
}
