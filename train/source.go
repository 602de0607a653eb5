package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/codeloom/codeloom/dataset"
)

// dataFiles lists the files of training data at path: the file itself, or
// a dataset folder's JSONL shards (its manifest's list, else every *.jsonl),
// or failing those the folder's *.parquet files.
func dataFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open data: %w", err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := dataset.Shards(path)
	if err == nil {
		return files, nil
	}
	pq, _ := filepath.Glob(filepath.Join(path, "*.parquet"))
	if len(pq) == 0 {
		return nil, fmt.Errorf("%w (and no Parquet files)", err)
	}
	sort.Strings(pq)
	return pq, nil
}

// isParquet tells a Parquet file by its name.
func isParquet(file string) bool {
	return strings.EqualFold(filepath.Ext(file), ".parquet")
}

// eachRecord passes every record of a JSONL or Parquet file to fn as a
// JSON object with its 1-based line (or row) number. Blank lines are
// skipped.
func eachRecord(ctx context.Context, file string, fn func(n int, rec []byte) error) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("open data: %w", err)
	}
	defer f.Close()
	if isParquet(file) {
		return eachParquetRow(ctx, f, file, fn)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), dataset.MaxLineBytes)
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		if err := fn(n, sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s: a line is longer than %d bytes", file, dataset.MaxLineBytes)
		}
		return fmt.Errorf("read %s: %w", file, err)
	}
	return nil
}

// eachParquetRow reads rows whatever their schema: each becomes a map from
// column name to value (lists and structs nested), then JSON, so Parquet
// records are checked exactly as JSONL ones are.
func eachParquetRow(ctx context.Context, f *os.File, file string, fn func(n int, rec []byte) error) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		row := map[string]any{}
		if err := r.Read(&row); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: row %d: %w", file, n, err)
		}
		b, err := json.Marshal(row)
		if err != nil {
			return fmt.Errorf("%s: row %d: %w", file, n, err)
		}
		if err := fn(n, b); err != nil {
			return err
		}
	}
}
