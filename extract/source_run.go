package extract

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/source"
)

// Source statuses.
const (
	StatusOK     = "ok"
	StatusFailed = "failed"
)

// runner holds what the sources of one Run share.
type runner struct {
	o        *Options
	partsDir string
	pool     *pool
	// keepBytes is how many more bytes of records and fingerprints (see
	// memorySize) the run may keep in memory for assemble, which otherwise
	// reads them back from the parts.
	keepBytes atomic.Int64
}

// extractSource extracts one source into its part, or reuses the part an
// earlier run left unless Force. A failure is reported in the status.
func (r *runner) extractSource(ctx context.Context, spec string) *sourceResult {
	key := r.o.partKey(spec)
	statusPath := filepath.Join(r.partsDir, key+".json")
	if !r.o.Force {
		if res, err := readResult(statusPath); err == nil && res.Status.Status == StatusOK {
			res.Status.Resumed = true
			return res
		}
	}
	res := &sourceResult{Status: dataset.SourceStatus{Source: spec}, Languages: map[string]*dataset.Counts{}}
	err := r.extractInto(ctx, spec, key, res)
	if err == nil {
		res.Status.Status = StatusOK
		err = writeResult(statusPath, res)
	}
	if err != nil {
		res.Status.Status, res.Status.Error = StatusFailed, err.Error()
	}
	return res
}

func (r *runner) extractInto(ctx context.Context, spec, key string, res *sourceResult) error {
	src, err := source.Parse(spec, source.Options{CacheDir: r.o.CacheDir, Token: r.o.Token})
	if err != nil {
		return err
	}
	res.Status.Repo = src.Name()
	tree, err := src.Open(ctx)
	if err != nil {
		return err
	}
	res.Status.Commit = tree.Commit
	res.Status.License = DetectLicense(tree.Dir)
	files, skipped, err := listFiles(ctx, tree.Dir, r.o.languageSet(), r.o.MaxFileBytes)
	if err != nil {
		return fmt.Errorf("list files of %s: %w", spec, err)
	}
	if len(files)+len(skipped) == 0 {
		return fmt.Errorf("%s: no files in the languages extracted", spec)
	}
	run := &sourceRun{repo: src.Name(), tree: tree, license: res.Status.License, langs: r.o.languageSet(), filters: &r.o.Filters}
	results, err := r.pool.extractAll(ctx, run, files)
	if err != nil {
		return err
	}
	for i := range skipped {
		res.count(&skipped[i], &dataset.Counts{FilesSeen: 1, FilesSkipped: 1, FilesSkippedBy: map[string]int{skipped[i].reason: 1}})
	}
	for i := range results {
		if results[i].counts.FilesSeen == 0 {
			continue // a header of a language not extracted
		}
		lang := results[i].lang
		if lang == "" {
			lang = files[i].lang.Name
		}
		res.countFile(lang, &results[i])
	}
	res.Part, res.Fingerprints = key+".rec", key+".fp"
	err = writeParts(filepath.Join(r.partsDir, res.Part), filepath.Join(r.partsDir, res.Fingerprints), results)
	if err == nil {
		r.keepFiles(res, results)
	}
	return err
}

// keepFiles keeps a source's results for assemble when the run's memory
// budget has room for them: they were just written to its part, and
// decoding them back costs CPU and system time.
func (r *runner) keepFiles(res *sourceResult, files []fileResult) {
	size := memorySize(files)
	if r.keepBytes.Add(-size) < 0 {
		r.keepBytes.Add(size)
		return
	}
	res.files = files
}

func (res *sourceResult) countFile(lang string, f *fileResult) {
	c := &f.counts
	if f.skipped != nil {
		res.count(f.skipped, c)
		return
	}
	res.Status.Counts.Add(c)
	res.language(lang).Add(c)
}

// count adds a skipped file, listing it when it carries an error.
func (res *sourceResult) count(s *skippedFile, c *dataset.Counts) {
	res.Status.Counts.Add(c)
	if s.lang != "" {
		res.language(s.lang).Add(c)
	}
	if s.err != "" && len(res.Status.SkippedFiles) < dataset.MaxSkippedFiles {
		res.Status.SkippedFiles = append(res.Status.SkippedFiles, dataset.SkippedFile{Path: s.rel, Reason: s.reason, Error: s.err})
	}
}

func (res *sourceResult) language(name string) *dataset.Counts {
	c := res.Languages[name]
	if c == nil {
		c = &dataset.Counts{}
		res.Languages[name] = c
	}
	return c
}
