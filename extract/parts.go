package extract

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/internal/atomicfile"
)

// partFormat changes whenever what a part holds changes, so old parts are
// not reused.
const partFormat = 4

// sourceResult is one source's extraction, kept in the cache as a part: a
// file of its kept records (before dedup and split, see partEncoder), a
// file of their fingerprints in the same order, and this status.
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

// writeParts writes the records of a source and their fingerprints.
func writeParts(records, prints string, files []fileResult) error {
	err := atomicfile.Write(records, func(w io.Writer) error {
		var enc partEncoder
		for i := range files {
			for j := range files[i].records {
				if err := enc.encode(w, &files[i].records[j]); err != nil {
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

// A part holds its records in a binary form of its own, since only this
// package reads parts back: each record is its length in bytes and then,
// in the order of partStrings and partInts, each string as its length and
// bytes and each number as a varint (encoding/binary). A record decodes
// into one string that its fields share, where gob allocated each field
// and buffers of its own.

// partStrings and partInts are the fields of a record in the order a part
// holds them.
func partStrings(r *dataset.Record) [14]*string {
	return [...]*string{&r.ID, &r.Repo, &r.Commit, &r.Path, &r.URL, &r.License, &r.Language, &r.Name,
		&r.QualifiedName, &r.Kind, &r.Signature, &r.Docstring, &r.Code, &r.Split}
}

func partInts(r *dataset.Record) [4]*int {
	return [...]*int{&r.StartLine, &r.EndLine, &r.Complexity, &r.Tokens}
}

// partEncoder writes records to a part, reusing its buffers.
type partEncoder struct {
	head [binary.MaxVarintLen64]byte
	buf  []byte
}

func (e *partEncoder) encode(w io.Writer, r *dataset.Record) error {
	b := e.buf[:0]
	for _, f := range partStrings(r) {
		b = binary.AppendUvarint(b, uint64(len(*f)))
		b = append(b, *f...)
	}
	for _, f := range partInts(r) {
		b = binary.AppendVarint(b, int64(*f))
	}
	e.buf = b
	if _, err := w.Write(e.head[:binary.PutUvarint(e.head[:], uint64(len(b)))]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// errCorruptPart is a record whose bytes do not hold its fields.
var errCorruptPart = errors.New("corrupt record")

// partDecoder reads the records of a part, reusing its buffer.
type partDecoder struct {
	r   *bufio.Reader
	buf []byte
}

// decode fills every field of rec from the next record; io.EOF when the
// part has no more.
func (d *partDecoder) decode(rec *dataset.Record) error {
	n, err := binary.ReadUvarint(d.r)
	if err != nil {
		return err
	}
	if n > math.MaxInt32 {
		return errCorruptPart
	}
	if uint64(cap(d.buf)) < n {
		d.buf = make([]byte, n)
	}
	b := d.buf[:n]
	if _, err := io.ReadFull(d.r, b); err != nil {
		return io.ErrUnexpectedEOF
	}
	s := string(b) // the one allocation of the record: its strings are parts of s
	at := 0
	for _, f := range partStrings(rec) {
		l, k := binary.Uvarint(b[at:])
		if k <= 0 || l > uint64(len(b)-at-k) {
			return errCorruptPart
		}
		at += k
		*f = s[at : at+int(l)]
		at += int(l)
	}
	for _, f := range partInts(rec) {
		v, k := binary.Varint(b[at:])
		if k <= 0 {
			return errCorruptPart
		}
		at += k
		*f = int(v)
	}
	if at != len(b) {
		return errCorruptPart
	}
	return nil
}

// readPart calls fn with each record of a part, in order. fn must not keep
// the record, which the next one overwrites.
func readPart(ctx context.Context, path string, fn func(*dataset.Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := partDecoder{r: bufio.NewReaderSize(f, 1<<20)}
	var rec dataset.Record
	for n := 1; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := dec.decode(&rec); errors.Is(err, io.EOF) {
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
