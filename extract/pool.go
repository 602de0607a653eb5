package extract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/source"
)

// fileBatch is the files of one source, shared by the workers: each
// claims the next index not yet claimed until none is left. A source then
// costs one channel handoff per worker instead of one per file, and each
// handoff may wake a sleeping thread.
type fileBatch struct {
	files []fileEntry
	src   *sourceRun
	out   []fileResult // out[i] is what files[i] gave
	next  atomic.Int64 // the next index to claim
	wg    sync.WaitGroup
}

// claim is the index of a file no other worker has taken, false when all
// are taken.
func (b *fileBatch) claim() (int, bool) {
	i := int(b.next.Add(1) - 1)
	return i, i < len(b.files)
}

// fileResult is what one file gave: its kept records and its counts.
type fileResult struct {
	lang    string // the language the file was parsed as
	records []dataset.Record
	prints  []dataset.Fingerprint // of records, for duplicate detection
	counts  dataset.Counts
	skipped *skippedFile
}

// sourceRun is what workers need to know about the source of a file.
type sourceRun struct {
	repo    string // the source's name
	tree    source.Tree
	license string
	langs   map[string]bool // languages extracted, nil for all
	filters *dataset.Filters
}

func (s *sourceRun) wants(lang *Language) bool { return len(s.langs) == 0 || s.langs[lang.Name] }

// pool is the set of parsing goroutines shared by all sources, each with
// its own tree-sitter parser and read buffer.
type pool struct {
	batches  chan *fileBatch
	workers  int
	wg       sync.WaitGroup
	progress *Progress
}

// startPool starts the workers; files over maxBytes are not read (0 means
// DefaultMaxFileBytes).
func startPool(ctx context.Context, workers int, timeout time.Duration, maxBytes int64, progress *Progress) *pool {
	p := &pool{batches: make(chan *fileBatch, workers), workers: workers, progress: progress}
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			parser := NewParser(timeout)
			defer parser.Close()
			reader := sourceReader{maxBytes: maxBytes}
			defer reader.close()
			for b := range p.batches {
				for i, ok := b.claim(); ok && ctx.Err() == nil; i, ok = b.claim() {
					p.extractFile(ctx, parser, &reader, b.src, &b.files[i], &b.out[i])
				}
				b.wg.Done()
			}
		}()
	}
	return p
}

// extractAll extracts the files of a source and waits for them: it hands
// the batch to as many workers as it has files, at most all of them.
func (p *pool) extractAll(ctx context.Context, src *sourceRun, files []fileEntry) ([]fileResult, error) {
	b := &fileBatch{files: files, src: src, out: make([]fileResult, len(files))}
	for range min(p.workers, len(files)) {
		b.wg.Add(1)
		select {
		case p.batches <- b:
		case <-ctx.Done():
			b.wg.Done()
			b.wg.Wait()
			return nil, ctx.Err()
		}
	}
	b.wg.Wait()
	return b.out, ctx.Err()
}

// stop waits for the queued batches and ends the workers.
func (p *pool) stop() {
	close(p.batches)
	p.wg.Wait()
}

func (p *pool) extractFile(ctx context.Context, parser *Parser, reader *sourceReader, src *sourceRun, e *fileEntry, res *fileResult) {
	res.counts = dataset.Counts{FilesSeen: 1, Bytes: e.size}
	defer p.progress.Files.Add(1)
	text, reason, errText := reader.read(*e)
	if reason == "" {
		lang := DetectLanguage(e.rel, text)
		if !src.wants(lang) {
			res.counts = dataset.Counts{}
			return
		}
		res.lang = lang.Name
		fns, tooDeep, err := safeFunctions(ctx, parser, lang, text)
		switch {
		case errors.Is(err, ErrParseTimeout):
			reason, errText = SkipParseTimeout, err.Error()
		case err != nil:
			reason, errText = SkipParseError, err.Error()
		default:
			p.progress.Functions.Add(int64(len(fns) + tooDeep))
			src.keep(e.rel, fns, res)
			if tooDeep > 0 {
				res.counts.Functions += tooDeep
				dataset.Inc(&res.counts.Removed, RemovedTooDeep, tooDeep)
			}
			return
		}
	}
	res.counts.FilesSkipped = 1
	res.counts.FilesSkippedBy = map[string]int{reason: 1}
	res.skipped = &skippedFile{rel: e.rel, lang: e.lang.Name, reason: reason, err: errText}
}

// safeFunctions turns a panic while reading one file's tree (a grammar
// shape the extractor did not expect) into that file's error, so one odd
// file cannot end a bulk run.
func safeFunctions(ctx context.Context, parser *Parser, lang *Language, src []byte) (fns []Function, tooDeep int, err error) {
	defer func() {
		if r := recover(); r != nil {
			parser.p.Reset()
			err = fmt.Errorf("extract %s: %v", lang.Name, r)
		}
	}()
	return parser.functions(ctx, lang, src)
}

// keep fills in the source's fields, applies the filters and redacts what
// passes them.
func (s *sourceRun) keep(rel string, fns []Function, res *fileResult) {
	res.counts.Functions = len(fns)
	redactions := map[string]int{}
	for i := range fns {
		r := fns[i].Record
		r.Repo, r.Commit, r.Path, r.License = s.repo, s.tree.Commit, rel, s.license
		if reason := s.filters.Reason(&r, fns[i].Facts); reason != "" {
			dataset.Inc(&res.counts.Removed, reason, 1)
			continue
		}
		r.URL = s.tree.LineURL(rel, r.StartLine, r.EndLine)
		r.Code = dataset.Redact(r.Code, redactions)
		r.Docstring = dataset.Redact(r.Docstring, redactions)
		r.Signature = dataset.Redact(r.Signature, redactions)
		fp := dataset.NewFingerprint(r.Code)
		r.ID = fp.ID()
		r.Tokens = fp.Tokens()
		if res.records == nil {
			// Room for every function left, at the first one kept: a
			// fingerprint is half a kilobyte, and regrowing the slices
			// doubled what a run allocated for them.
			res.records = make([]dataset.Record, 0, len(fns)-i)
			res.prints = make([]dataset.Fingerprint, 0, len(fns)-i)
		}
		res.records = append(res.records, r)
		res.prints = append(res.prints, fp)
	}
	if len(redactions) > 0 {
		res.counts.Redactions = redactions
	}
}
