package dataset

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/internal/atomicfile"
)

// DefaultShardRecords is how many records a JSONL shard holds.
const DefaultShardRecords = 100_000

// Writer writes a dataset into a temporary folder beside its destination
// and moves it into place on Commit, so a reader, or a run killed half-way,
// only ever sees the previous dataset or the complete new one.
type Writer struct {
	dir, tmp      string
	opts          WriterOptions
	shards        []string
	parquetShards []string
	n             int // records in the open shard
	f             *os.File
	bw            *bufio.Writer
	line          []byte        // the record being written, reused
	pq            *parquetShard // the open shard's Parquet twin, when wanted
}

// WriterOptions configure a Writer; the zero value is useful.
type WriterOptions struct {
	ShardRecords int  // records per shard; 0 means DefaultShardRecords
	Parquet      bool // also write each shard as data-NNNNN.parquet
}

// Create starts a dataset that will replace dir.
func Create(dir string, opts WriterOptions) (*Writer, error) {
	if opts.ShardRecords <= 0 {
		opts.ShardRecords = DefaultShardRecords
	}
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create dataset %s: %w", dir, err)
	}
	// Folders a killed run left beside this dataset go now: they are named
	// after their process, so one that another live run is still writing
	// stays.
	prefix := "." + filepath.Base(dir) + ".tmp-"
	if _, err := atomicfile.RemoveStale(filepath.Dir(dir), prefix, atomicfile.LegacyAge); err != nil {
		return nil, fmt.Errorf("create dataset %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), atomicfile.TempPattern(prefix))
	if err != nil {
		return nil, fmt.Errorf("create dataset %s: %w", dir, err)
	}
	return &Writer{dir: dir, tmp: tmp, opts: opts}, nil
}

// Write appends a record, starting a new shard when the current one is full.
func (w *Writer) Write(r *Record) error {
	if w.f == nil || w.n >= w.opts.ShardRecords {
		if err := w.closeShard(); err != nil {
			return err
		}
		if err := w.openShard(); err != nil {
			return err
		}
	}
	w.n++
	w.line = r.appendJSON(w.line[:0])
	if _, err := w.bw.Write(w.line); err != nil {
		return fmt.Errorf("write dataset %s: %w", w.dir, err)
	}
	if w.pq != nil {
		if err := w.pq.write(r); err != nil {
			return fmt.Errorf("write dataset %s: %w", w.dir, err)
		}
	}
	return nil
}

func (w *Writer) openShard() error {
	name := fmt.Sprintf("data-%05d.jsonl", len(w.shards))
	f, err := os.Create(filepath.Join(w.tmp, name))
	if err != nil {
		return fmt.Errorf("write dataset %s: %w", w.dir, err)
	}
	if w.opts.Parquet {
		if w.pq, err = createParquetShard(w.tmp, len(w.shards)); err != nil {
			f.Close()
			return fmt.Errorf("write dataset %s: %w", w.dir, err)
		}
		w.parquetShards = append(w.parquetShards, w.pq.name)
	}
	w.f, w.n = f, 0
	w.bw = bufio.NewWriterSize(f, 1<<20)
	w.shards = append(w.shards, name)
	return nil
}

func (w *Writer) closeShard() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	err := w.bw.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if w.pq != nil {
		if perr := w.pq.close(); err == nil {
			err = perr
		}
		w.pq = nil
	}
	if err != nil {
		return fmt.Errorf("write dataset %s: %w", w.dir, err)
	}
	return nil
}

// Commit finishes the last shard, writes the manifest (its Shards filled
// in) and replaces the destination folder with the new dataset.
func (w *Writer) Commit(m *Manifest) error {
	if w.f == nil && len(w.shards) == 0 {
		// An empty dataset still gets one (empty) shard, so readers find it.
		if err := w.openShard(); err != nil {
			return err
		}
	}
	if err := w.closeShard(); err != nil {
		w.Abort()
		return err
	}
	m.Shards = append([]string(nil), w.shards...)
	m.ParquetShards = append([]string(nil), w.parquetShards...)
	b, err := json.MarshalIndent(m, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(w.tmp, ManifestFile), append(b, '\n'), 0o644)
	}
	if err == nil {
		err = replaceDir(w.tmp, w.dir)
	}
	if err != nil {
		w.Abort()
		return fmt.Errorf("commit dataset %s: %w", w.dir, err)
	}
	return nil
}

// Abort discards everything written; the destination is left untouched.
func (w *Writer) Abort() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	if w.pq != nil {
		w.pq.f.Close()
		w.pq = nil
	}
	os.RemoveAll(w.tmp)
}
