package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/source"
)

// Run extracts every source into the dataset folder o.Out and returns its
// manifest. Sources are fetched and walked o.Jobs at a time and their files
// parsed by o.Workers goroutines; each finished source is kept in the cache,
// so a rerun after a crash or with more sources redoes only what is missing
// (o.Force redoes all). Then duplicates are removed across all sources, the
// train/validation split assigned and the dataset written atomically. A
// source that fails is reported in the manifest and the others go on; Run
// itself fails only when it cannot write, or ctx is cancelled.
func Run(ctx context.Context, o Options) (*dataset.Manifest, error) {
	return run(ctx, o, keepBudget)
}

// keepBudget is how many bytes of records and fingerprints (memorySize) a
// run keeps in memory from extraction to assemble; the parts beyond it,
// and those of resumed sources, are read back.
const keepBudget = 512 << 20

func run(ctx context.Context, o Options, keep int64) (*dataset.Manifest, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	specs, err := source.Expand(o.Sources)
	if err != nil {
		return nil, err
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("extract: no sources")
	}
	r := &runner{o: &o, partsDir: filepath.Join(o.CacheDir, "parts")}
	r.keepBytes.Store(keep)
	if err := os.MkdirAll(r.partsDir, 0o755); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	o.Progress.SourcesTotal.Store(int64(len(specs)))
	r.pool = startPool(ctx, o.Workers, o.ParseTimeout, o.MaxFileBytes, o.Progress)
	results := make([]*sourceResult, len(specs))
	sem := make(chan struct{}, o.Jobs)
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = r.extractSource(ctx, spec)
			o.Progress.SourcesDone.Add(1)
		}()
	}
	wg.Wait()
	r.pool.stop()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	return r.assemble(ctx, results)
}

// assemble deduplicates the parts of all sources together, assigns splits
// and writes the dataset with its manifest, counting duplicates and kept
// records per source and language as it goes.
func (r *runner) assemble(ctx context.Context, results []*sourceResult) (*dataset.Manifest, error) {
	verdicts, err := r.dedup(ctx, results)
	if err != nil {
		return nil, err
	}
	w, err := dataset.Create(r.o.Out, dataset.WriterOptions{ShardRecords: r.o.ShardRecords, Parquet: r.o.Parquet})
	if err != nil {
		return nil, err
	}
	m := r.manifest()
	for i, res := range results {
		if res.Part == "" {
			continue
		}
		k := 0
		err := r.eachRecord(ctx, res, func(rec *dataset.Record) error {
			if k >= len(verdicts[i]) {
				return fmt.Errorf("part %s has more records than fingerprints", res.Part)
			}
			verdict := verdicts[i][k]
			k++
			switch verdict {
			case dataset.ExactDuplicate:
				res.Status.Counts.DuplicateExact++
				res.language(rec.Language).DuplicateExact++
				return nil
			case dataset.NearDuplicate:
				res.Status.Counts.DuplicateNear++
				res.language(rec.Language).DuplicateNear++
				return nil
			}
			rec.Split = dataset.SplitFor(rec.Repo, rec.Path, r.o.ValRatio)
			m.Splits[rec.Split]++
			res.Status.Counts.Kept++
			res.language(rec.Language).Kept++
			return w.Write(rec)
		})
		if err != nil {
			w.Abort()
			return nil, fmt.Errorf("extract: %w", err)
		}
		res.files = nil // written: free its memory for the next sources
	}
	for _, res := range results {
		m.Sources = append(m.Sources, res.Status)
		m.Total.Add(&res.Status.Counts)
		for lang, c := range res.Languages {
			if m.Languages[lang] == nil {
				m.Languages[lang] = &dataset.Counts{}
			}
			m.Languages[lang].Add(c)
		}
	}
	if err := w.Commit(m); err != nil {
		return nil, err
	}
	return m, nil
}

// dedup takes the fingerprints of every part in source order and judges
// each record: the first of each group of exact or near duplicates is
// Unique and kept.
func (r *runner) dedup(ctx context.Context, results []*sourceResult) ([][]dataset.Duplicate, error) {
	// Each part's fingerprint file holds one fixed-size print per record:
	// their sizes let the Deduper size its indexes once.
	opts := r.o.Dedup
	for _, res := range results {
		if res.Part == "" {
			continue
		}
		opts.Expected += r.printCount(res)
	}
	d := dataset.NewDeduper(opts)
	verdicts := make([][]dataset.Duplicate, len(results))
	for i, res := range results {
		if res.Part == "" {
			continue
		}
		err := r.eachPrint(res, func(fp *dataset.Fingerprint) {
			verdicts[i] = append(verdicts[i], d.AddFingerprint(fp))
		})
		if err != nil {
			return nil, fmt.Errorf("extract: dedup: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return verdicts, nil
}

func (r *runner) manifest() *dataset.Manifest {
	o := r.o
	langs := o.Languages
	if len(langs) == 0 {
		langs = LanguageNames()
	}
	return &dataset.Manifest{
		Tool:      o.Tool,
		CreatedAt: time.Now().UTC(),
		Settings: map[string]any{
			"languages":      langs,
			"filters":        o.Filters,
			"near_threshold": o.Dedup.Threshold(),
			"exact_only":     o.Dedup.ExactOnly,
			"val_ratio":      o.ValRatio,
			"max_file_bytes": o.MaxFileBytes,
			"parse_timeout":  o.ParseTimeout.String(),
			"parquet":        o.Parquet,
		},
		Languages: map[string]*dataset.Counts{},
		Splits:    map[string]int{dataset.SplitTrain: 0, dataset.SplitValidation: 0},
	}
}
