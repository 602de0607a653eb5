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
const partFormat = 6 // 6: no functions nested over maxNesting deep, files read beneath the root only

// sourceResult is one source's extraction, kept in the cache as a part: a
// file of its kept records (before dedup and split, see partEncoder), a
// file of their fingerprints in the same order, and this status.
type sourceResult struct {
	Status       dataset.SourceStatus       `json:"status"`
	Languages    map[string]*dataset.Counts `json:"languages"`
	Part         string                     `json:"part"`         // records file, "" when none
	Fingerprints string                     `json:"fingerprints"` // dataset.FingerprintSize bytes per record

	// files are the records and prints of the part as this run extracted
	// them, while they fit the run's memory budget (runner.keepFiles);
	// nil when the part must be read back.
	files []fileResult
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

// memorySize is about how many bytes the records and fingerprints of
// files take in memory: their text and prints.
func memorySize(files []fileResult) int64 {
	var n int64
	for i := range files {
		for j := range files[i].records {
			for _, f := range partStrings(&files[i].records[j]) {
				n += int64(len(*f))
			}
		}
		n += int64(len(files[i].prints)) * dataset.FingerprintSize
	}
	return n
}

// eachRecord calls fn with each record of a source's part, in order: from
// memory when the run kept them, else read back from the part. fn must not
// keep the record.
func (r *runner) eachRecord(ctx context.Context, res *sourceResult, fn func(*dataset.Record) error) error {
	if res.files == nil {
		return readPart(ctx, filepath.Join(r.partsDir, res.Part), fn)
	}
	n := 0
	for i := range res.files {
		for j := range res.files[i].records {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := fn(&res.files[i].records[j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// eachPrint calls fn with each fingerprint of a source's part, in order,
// from memory when the run kept them.
func (r *runner) eachPrint(res *sourceResult, fn func(*dataset.Fingerprint)) error {
	if res.files == nil {
		return readFingerprints(filepath.Join(r.partsDir, res.Fingerprints), fn)
	}
	for i := range res.files {
		for j := range res.files[i].prints {
			fn(&res.files[i].prints[j])
		}
	}
	return nil
}

// printCount is how many fingerprints, one per record, a source's part
// holds; 0 when it cannot tell.
func (r *runner) printCount(res *sourceResult) int {
	if res.files == nil {
		fi, err := os.Stat(filepath.Join(r.partsDir, res.Fingerprints))
		if err != nil {
			return 0
		}
		return int(fi.Size() / dataset.FingerprintSize)
	}
	n := 0
	for i := range res.files {
		n += len(res.files[i].prints)
	}
	return n
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
