package extract

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/internal/atomicfile"
)

// partFormat changes whenever what a part holds changes, so old parts are
// not reused.
const partFormat = 3

// sourceResult is one source's extraction, kept in the cache as a part: a
// gob stream of its kept records (before dedup and split), a file of their
// fingerprints in the same order, and this status.
type sourceResult struct {
	Status       dataset.SourceStatus       `json:"status"`
	Languages    map[string]*dataset.Counts `json:"languages"`
	Part         string                     `json:"part"`         // records file, "" when none
	Fingerprints string                     `json:"fingerprints"` // dataset.FingerprintSize bytes per record
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
	for _, f := range []string{r.Part, r.Fingerprints} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), f)); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// writeParts writes the records of a source and their fingerprints. The
// records are a gob stream, not JSON: parts are read back only by this
// package, and gob decodes several times faster than JSON.
func writeParts(records, prints string, files []fileResult) error {
	err := atomicfile.Write(records, func(w io.Writer) error {
		enc := gob.NewEncoder(w)
		for i := range files {
			for j := range files[i].records {
				if err := enc.Encode(&files[i].records[j]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return atomicfile.Write(prints, func(w io.Writer) error {
		buf := make([]byte, 0, dataset.FingerprintSize)
		for i := range files {
			for j := range files[i].prints {
				if _, err := w.Write(files[i].prints[j].AppendBinary(buf[:0])); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// readPart calls fn with each record of a part, in order.
func readPart(ctx context.Context, path string, fn func(*dataset.Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	for n := 1; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// gob leaves out zero fields, so every record starts from scratch.
		var rec dataset.Record
		if err := dec.Decode(&rec); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("read %s: record %d: %w", path, n, err)
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
}

// readFingerprints calls fn with each fingerprint of a part, in order.
func readFingerprints(path string, fn func(*dataset.Fingerprint)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	buf := make([]byte, dataset.FingerprintSize)
	var fp dataset.Fingerprint
	for {
		if _, err := io.ReadFull(r, buf); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if err := fp.UnmarshalBinary(buf); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		fn(&fp)
	}
}

func writeResult(path string, r *sourceResult) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	})
}
