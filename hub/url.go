package hub

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"
)

// DownloadURL fetches a plain http(s) URL of a .gguf file into
// dir/FILE.gguf the way Download fetches from the hub: resumable, checked
// against a sha256 ETag when the server sends one. The client's token is
// not sent unless the URL is on the hub's own host.
func (c *Client) DownloadURL(ctx context.Context, rawURL, dir string, progress Progress) (Result, error) {
	name, err := URLFileName(rawURL)
	if err != nil {
		return Result{}, err
	}
	return c.download(ctx, redact(rawURL), rawURL, filepath.Join(dir, name), progress)
}

// URLFileName is the name DownloadURL saves rawURL under: the last segment
// of its path, which must end in .gguf.
func URLFileName(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("model URL %q: want http(s)://HOST/.../FILE.gguf", redact(rawURL))
	}
	name := path.Base(u.Path)
	if !strings.HasSuffix(name, ".gguf") || name == ".gguf" || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("model URL %q: the path must end in a FILE.gguf", redact(rawURL))
	}
	return name, nil
}
