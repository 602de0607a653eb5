package extract

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/codeloom/codeloom/dataset"
)

// partFormat changes whenever what a part holds changes, so old parts are
// not reused.
const partFormat = 1

// sourceResult is one source's extraction, kept in the cache as a part: a
// JSONL file of its kept records (before dedup and split) and this status.
type sourceResult struct {
	Status    dataset.SourceStatus       `json:"status"`
	Languages map[string]*dataset.Counts `json:"languages"`
	Part      string                     `json:"part"` // records file, "" when none
}

// partKey names a source's part: the same source extracted with the same
// settings gives the same key, so a rerun can reuse it.
func (o *Options) partKey(spec string) string {
	langs := slices.Clone(o.Languages)
	slices.Sort(langs)
	b, _ := json.Marshal(struct {
		Format       int
		Spec         string
		Languages    []string
		Filters      dataset.Filters
		MaxFileBytes int64
		ParseTimeout int64
	}{partFormat, spec, langs, o.Filters, o.MaxFileBytes, int64(o.ParseTimeout)})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

func readResult(path string) (*sourceResult, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r sourceResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if r.Part != "" {
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), r.Part)); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// writeFileAtomic writes a file through a temporary name and a rename.
func writeFileAtomic(path string, write func(*bufio.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}

func writeRecords(path string, files []fileResult) error {
	return writeFileAtomic(path, func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range files {
			for j := range files[i].records {
				if err := enc.Encode(&files[i].records[j]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func writeResult(path string, r *sourceResult) error {
	return writeFileAtomic(path, func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	})
}
