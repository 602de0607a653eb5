package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/codeloom/codeloom/internal/digest"
)

// DefaultEndpoint is the Hugging Face hub.
const DefaultEndpoint = "https://huggingface.co"

// PartSuffix is appended to the destination while it is being downloaded; a
// later Download resumes from it.
const PartSuffix = ".part"

// Client downloads files from a hub. The zero value uses DefaultEndpoint,
// http.DefaultClient and no token.
type Client struct {
	Endpoint string       // base URL of the hub
	Token    string       // bearer token, sent to the hub's own host only
	HTTP     *http.Client // redirects to the file store are followed with it
}

// Progress is told how many bytes of the file are on disk so far and the
// file's size (-1 when unknown).
type Progress func(done, total int64)

// Result is a finished download.
type Result struct {
	Path   string
	Size   int64
	SHA256 string // the verified checksum; "" when the hub published none
}

// Download fetches ref into dir/ref.Name(). A file
// already there with the right size and checksum is kept; an earlier partial
// download (dir/NAME.part) is resumed with a Range request. The file is
// renamed into place only after its size and sha256 match what the hub
// announced; a mismatch removes the partial file and returns ErrChecksum.
func (c *Client) Download(ctx context.Context, ref Ref, dir string, progress Progress) (Result, error) {
	return c.download(ctx, ref.String(), ref.resolveURL(c.endpoint()), filepath.Join(dir, ref.Name()), progress)
}

// download fetches rawURL into dest; what names the file in errors.
func (c *Client) download(ctx context.Context, what, rawURL, dest string, progress Progress) (Result, error) {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	m, err := c.fetchMeta(ctx, rawURL)
	if err != nil {
		return Result{}, fmt.Errorf("download %s: %w", what, err)
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("download %s: %w", what, err)
	}
	if !complete(dest, m) {
		size, err := c.fetch(ctx, m, dest+PartSuffix, progress)
		if err != nil {
			return Result{}, fmt.Errorf("download %s: %w", what, err)
		}
		m.size = size
		if err := os.Rename(dest+PartSuffix, dest); err != nil {
			return Result{}, fmt.Errorf("download %s: %w", what, err)
		}
		if err := syncDir(dir); err != nil {
			return Result{}, err
		}
	}
	progress(m.size, m.size)
	return Result{Path: dest, Size: m.size, SHA256: m.sha256}, nil
}

// complete reports whether path already holds the file m describes. Without
// a published checksum only the size can be compared, so the file is
// fetched again.
func complete(path string, m meta) bool {
	st, err := os.Stat(path)
	if err != nil || m.sha256 == "" || st.Size() != m.size {
		return false
	}
	sum, err := digest.File(path)
	return err == nil && sum == m.sha256
}

// fetch brings part up to the full file, verifies it and returns its size.
func (c *Client) fetch(ctx context.Context, m meta, part string, progress Progress) (int64, error) {
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := sha256.New()
	offset, err := io.Copy(h, f)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", part, err)
	}
	if m.size >= 0 && offset > m.size {
		offset, h = 0, sha256.New()
	}
	if m.size < 0 || offset < m.size {
		if offset, err = c.transfer(ctx, m, f, offset, h, progress); err != nil {
			return 0, err
		}
	}
	if m.size >= 0 && offset != m.size {
		return 0, fmt.Errorf("got %d bytes, hub announced %d", offset, m.size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); m.sha256 != "" && got != m.sha256 {
		f.Close()
		os.Remove(part)
		return 0, fmt.Errorf("%w: got sha256 %s, hub announced %s (partial file removed)", ErrChecksum, got, m.sha256)
	}
	return offset, f.Sync()
}

// transfer requests the bytes from offset on and appends them to f, hashing
// them into h. It returns the new length of the file. A server that ignores
// the Range header sends the whole file, which then replaces what was there.
func (c *Client) transfer(ctx context.Context, m meta, f *os.File, offset int64, h hash.Hash, progress Progress) (int64, error) {
	req, err := c.newRequest(ctx, http.MethodGet, m.location)
	if err != nil {
		return offset, err
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return offset, fmt.Errorf("fetch %s: %w", redact(m.location), err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if start := rangeStart(resp.Header.Get("Content-Range")); start != offset {
			return offset, fmt.Errorf("fetch %s: asked for bytes from %d, got Content-Range %q", redact(m.location), offset, resp.Header.Get("Content-Range"))
		}
	case http.StatusOK:
		offset = 0
		h.Reset()
	default:
		return offset, statusError(resp, m.location)
	}
	// Bytes past offset are stale (a server that ignored Range, or a file
	// longer than announced): drop them before appending.
	if err := f.Truncate(offset); err != nil {
		return offset, err
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return offset, err
	}
	w := &progressWriter{done: offset, total: m.size, report: progress}
	n, err := io.Copy(io.MultiWriter(f, h, w), resp.Body)
	offset += n
	if err != nil {
		return offset, fmt.Errorf("fetch %s: stopped after %d bytes (run again to resume): %w", redact(m.location), offset, err)
	}
	return offset, nil
}

// rangeStart parses the first byte position of "bytes START-END/SIZE".
func rangeStart(contentRange string) int64 {
	spec, ok := strings.CutPrefix(contentRange, "bytes ")
	if !ok {
		return -1
	}
	start, _, _ := strings.Cut(spec, "-")
	n, err := strconv.ParseInt(start, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

type progressWriter struct {
	done, total int64
	report      Progress
}

func (w *progressWriter) Write(p []byte) (int, error) {
	w.done += int64(len(p))
	w.report(w.done, w.total)
	return len(p), nil
}

func (c *Client) endpoint() string {
	if c.Endpoint == "" {
		return DefaultEndpoint
	}
	return c.Endpoint
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

// newRequest builds a request carrying the token only when it goes to the
// hub itself: file-store URLs are pre-signed and must not see it.
func (c *Client) newRequest(ctx context.Context, method, rawURL string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", redact(rawURL), err)
	}
	req.Header.Set("User-Agent", "codeloom")
	if c.Token != "" && sameHost(rawURL, c.endpoint()) {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	return req, nil
}

func sameHost(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Host == ub.Host
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
