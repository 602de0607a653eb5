package extract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/codeloom/codeloom/dataset"
)

// filledRecord sets every field of a record to a value of its own, so a
// field a part leaves out cannot pass for one it keeps.
func filledRecord(t *testing.T, seed int) dataset.Record {
	var r dataset.Record
	v := reflect.ValueOf(&r).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(v.Type().Field(i).Name + string(rune('a'+seed)) + "é\\n\x00")
		case reflect.Int:
			f.SetInt(int64(seed*100 + i - 7))
		default:
			t.Fatalf("Record.%s is a %s, which parts do not write", v.Type().Field(i).Name, f.Kind())
		}
	}
	return r
}

// TestPartRoundTrip writes records through writeParts and reads them back
// field for field, empty ones included.
func TestPartRoundTrip(t *testing.T) {
	files := []fileResult{
		{records: []dataset.Record{filledRecord(t, 0), {}, filledRecord(t, 1)}},
		{},
		{records: []dataset.Record{filledRecord(t, 2)}},
	}
	files[0].records[2].Code = string(bytes.Repeat([]byte("x"), 300_000))
	var want []dataset.Record
	for _, f := range files {
		want = append(want, f.records...)
	}
	dir := t.TempDir()
	part := filepath.Join(dir, "part")
	if err := writeParts(part, filepath.Join(dir, "prints"), files); err != nil {
		t.Fatal(err)
	}
	var got []dataset.Record
	err := readPart(context.Background(), part, func(r *dataset.Record) error {
		got = append(got, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %d records, wrote %d; first difference (got, want): %+v", len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(got, want []dataset.Record) []dataset.Record {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return []dataset.Record{got[i], want[i]}
		}
	}
	return nil
}

// TestPartTruncated reads parts cut short inside a record, and one whose
// record does not hold its fields.
func TestPartTruncated(t *testing.T) {
	dir := t.TempDir()
	part := filepath.Join(dir, "part")
	r := filledRecord(t, 0)
	var buf bytes.Buffer
	if err := new(partEncoder).encode(&buf, &r); err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{1, buf.Len() / 2, buf.Len() - 1} {
		if err := os.WriteFile(part, buf.Bytes()[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		err := readPart(context.Background(), part, func(*dataset.Record) error { return nil })
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("part cut at %d of %d bytes: error %v", cut, buf.Len(), err)
		}
	}
	// A record of one byte that says a string of 5 bytes follows.
	if err := os.WriteFile(part, []byte{1, 5}, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := readPart(context.Background(), part, func(*dataset.Record) error { return nil }); !errors.Is(err, errCorruptPart) {
		t.Errorf("corrupt record: error %v", err)
	}
}
