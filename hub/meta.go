package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Errors a caller can branch on (errors.Is).
var (
	ErrUnauthorized = errors.New("not authorized (set HF_TOKEN for private or gated repositories)")
	ErrForbidden    = errors.New("access refused (a gated repository: accept its terms on the hub)")
	ErrNotFound     = errors.New("not found")
	ErrChecksum     = errors.New("checksum mismatch")
)

// maxRedirects bounds the hub's own redirects (renamed repositories) before
// the one that points at the file store.
const maxRedirects = 10

// meta is what the hub says about a file before it is fetched.
type meta struct {
	location string // where the bytes are (the file store for large files)
	size     int64  // -1 when unknown
	sha256   string // lower-case hex, "" when the hub gives none
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// fetchMeta asks the hub for the file's size, checksum and location. Large
// files answer with a redirect to the file store carrying X-Linked-Etag (the
// sha256) and X-Linked-Size, so redirects are followed by hand: the automatic
// ones would hide those headers.
func (c *Client) fetchMeta(ctx context.Context, rawURL string) (meta, error) {
	hc := *c.httpClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for range maxRedirects {
		req, err := c.newRequest(ctx, http.MethodHead, rawURL)
		if err != nil {
			return meta{}, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return meta{}, fmt.Errorf("ask hub about %s: %w", rawURL, err)
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			if err != nil || resp.Header.Get("Location") == "" {
				return meta{}, fmt.Errorf("hub redirect from %s: bad Location %q", rawURL, resp.Header.Get("Location"))
			}
			if etag := resp.Header.Get("X-Linked-Etag"); etag != "" {
				return meta{location: next.String(), size: headerSize(resp.Header.Get("X-Linked-Size")), sha256: etagSHA256(etag)}, nil
			}
			rawURL = next.String()
		case resp.StatusCode == http.StatusOK:
			return meta{location: rawURL, size: resp.ContentLength, sha256: etagSHA256(resp.Header.Get("ETag"))}, nil
		default:
			return meta{}, statusError(resp, rawURL)
		}
	}
	return meta{}, fmt.Errorf("ask hub about %s: more than %d redirects", rawURL, maxRedirects)
}

// etagSHA256 returns the checksum an ETag carries when it is a sha256 (the
// hub's ETags for files kept in LFS); small files carry a git blob id instead.
func etagSHA256(etag string) string {
	v := strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
	v = strings.ToLower(v)
	if sha256Hex.MatchString(v) {
		return v
	}
	return ""
}

func headerSize(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// statusError turns a failed answer into an error naming the URL, with the
// hub's own explanation when it sends one.
func statusError(resp *http.Response, rawURL string) error {
	var kind error
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		kind = ErrUnauthorized
	case http.StatusForbidden:
		kind = ErrForbidden
	case http.StatusNotFound:
		kind = ErrNotFound
	default:
		kind = errors.New(resp.Status)
	}
	if msg := resp.Header.Get("X-Error-Message"); msg != "" {
		return fmt.Errorf("%s: %w: %s", redact(rawURL), kind, msg)
	}
	return fmt.Errorf("%s: %w", redact(rawURL), kind)
}

// redact drops the query of a URL: file-store URLs carry signatures.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.RawQuery = ""
	return u.String()
}
