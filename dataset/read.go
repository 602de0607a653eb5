package dataset

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// MaxLineBytes bounds one JSONL line; a longer line is reported as an error
// rather than read into memory.
const MaxLineBytes = 64 << 20

// ReadManifest reads DIR/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("read manifest of dataset %s: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse manifest of dataset %s: %w", dir, err)
	}
	return &m, nil
}

// Shards lists the JSONL files of a dataset: the manifest's list when there
// is one, otherwise every *.jsonl in the folder, sorted.
func Shards(dir string) ([]string, error) {
	if m, err := ReadManifest(dir); err == nil && len(m.Shards) > 0 {
		out := make([]string, len(m.Shards))
		for i, s := range m.Shards {
			out[i] = filepath.Join(dir, s)
		}
		return out, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("open dataset %s: %w", dir, err)
		}
		return nil, fmt.Errorf("open dataset %s: no JSONL shards", dir)
	}
	sort.Strings(files)
	return files, nil
}

// Read streams every record of the dataset in DIR to fn, shard by shard, in
// order. The *Record is reused between calls: copy it to keep it. Reading
// stops at the first error from fn or at ctx's cancellation.
func Read(ctx context.Context, dir string, fn func(*Record) error) error {
	shards, err := Shards(dir)
	if err != nil {
		return err
	}
	for _, s := range shards {
		if err := ReadFile(ctx, s, fn); err != nil {
			return err
		}
	}
	return nil
}

// ReadFile streams the records of one JSONL file; see Read.
func ReadFile(ctx context.Context, path string, fn func(*Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open shard: %w", err)
	}
	defer f.Close()
	return decode(ctx, f, path, fn)
}

func decode(ctx context.Context, r io.Reader, name string, fn func(*Record) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), MaxLineBytes)
	var rec Record
	var dec recordDecoder
	for line := 1; sc.Scan(); line++ {
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		if err := dec.decode(b, &rec); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s: a line is longer than %d bytes", name, MaxLineBytes)
		}
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}
