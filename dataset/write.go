package dataset

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultShardRecords is how many records a JSONL shard holds.
const DefaultShardRecords = 100_000

// Writer writes a dataset into a temporary folder beside its destination
// and moves it into place on Commit, so a reader, or a run killed half-way,
// only ever sees the previous dataset or the complete new one.
type Writer struct {
	dir, tmp     string
	shardRecords int
	shards       []string
	n            int // records in the open shard
	f            *os.File
	bw           *bufio.Writer
	enc          *json.Encoder
	extra        []ShardWriter
}

// ShardWriter writes the same records in another format (Parquet) beside
// the JSONL shards: Open starts a shard, Close ends it and names its file.
type ShardWriter interface {
	Open(dir string, index int) error
	Write(r *Record) error
	Close() (file string, err error)
}

// Create starts a dataset that will replace dir. shardRecords <= 0 means
// DefaultShardRecords.
func Create(dir string, shardRecords int, extra ...ShardWriter) (*Writer, error) {
	if shardRecords <= 0 {
		shardRecords = DefaultShardRecords
	}
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create dataset %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("create dataset %s: %w", dir, err)
	}
	return &Writer{dir: dir, tmp: tmp, shardRecords: shardRecords, extra: extra}, nil
}

// Write appends a record, starting a new shard when the current one is full.
func (w *Writer) Write(r *Record) error {
	if w.f == nil || w.n >= w.shardRecords {
		if err := w.closeShard(); err != nil {
			return err
		}
		if err := w.openShard(); err != nil {
			return err
		}
	}
	w.n++
	if err := w.enc.Encode(r); err != nil {
		return fmt.Errorf("write dataset %s: %w", w.dir, err)
	}
	for _, x := range w.extra {
		if err := x.Write(r); err != nil {
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
	for _, x := range w.extra {
		if err := x.Open(w.tmp, len(w.shards)); err != nil {
			f.Close()
			return fmt.Errorf("write dataset %s: %w", w.dir, err)
		}
	}
	w.f, w.n = f, 0
	w.bw = bufio.NewWriterSize(f, 1<<20)
	w.enc = json.NewEncoder(w.bw)
	w.enc.SetEscapeHTML(false)
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
	for _, x := range w.extra {
		if _, xerr := x.Close(); err == nil {
			err = xerr
		}
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
	os.RemoveAll(w.tmp)
}
