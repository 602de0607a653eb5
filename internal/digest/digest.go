// Package digest names files by content: the hex SHA-256 that records in
// train.json, eval.json and hub downloads use to tell whether an input
// changed. (The pipeline's fingerprints are of sizes and times, not
// contents, and are its own.)
package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// File is the hex SHA-256 of the file's content.
func File(path string) (string, error) {
	sum, _, err := Files(context.Background(), path)
	return sum, err
}

// Files is the hex SHA-256 of the files' contents read in order as one
// stream (a dataset's shards), and how many bytes that was. Cancelling ctx
// stops it between chunks, since inputs may be gigabytes.
func Files(ctx context.Context, paths ...string) (string, int64, error) {
	h := sha256.New()
	var n int64
	buf := make([]byte, 4<<20)
	for _, p := range paths {
		k, err := copyFile(ctx, h, p, buf)
		n += k
		if err != nil {
			return "", n, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func copyFile(ctx context.Context, w io.Writer, path string, buf []byte) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := f.Read(buf)
		w.Write(buf[:k]) // a hash.Hash never returns an error
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("hash %s: %w", path, err)
		}
	}
}
