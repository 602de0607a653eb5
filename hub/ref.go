// Package hub downloads model files from the Hugging Face hub, or from any
// server that answers the way it does: resumable from a .part file,
// checked against the sha256 the hub publishes, renamed into place only when
// complete.
//
//	ref, err := hub.ParseRef("hf://Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q8_0.gguf")
//	c := &hub.Client{Token: os.Getenv("HF_TOKEN")}
//	path, err := c.Download(ctx, ref, "models", nil)
package hub

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Scheme prefixes a hub reference.
const Scheme = "hf://"

// DefaultRevision is the branch used when a reference names none.
const DefaultRevision = "main"

// Ref names one file in a hub repository: hf://OWNER/REPO[@REVISION]/PATH.
type Ref struct {
	Owner    string
	Repo     string
	Revision string // branch, tag or commit; DefaultRevision when empty
	File     string // slash-separated path inside the repository
}

// ParseRef parses hf://OWNER/REPO[@REVISION]/PATH.
func ParseRef(s string) (Ref, error) {
	rest, ok := strings.CutPrefix(s, Scheme)
	if !ok {
		return Ref{}, fmt.Errorf("hub reference %q: want %sOWNER/REPO/FILE", s, Scheme)
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return Ref{}, fmt.Errorf("hub reference %q: want %sOWNER/REPO/FILE", s, Scheme)
	}
	r := Ref{Owner: parts[0], Repo: parts[1], File: parts[2], Revision: DefaultRevision}
	if repo, rev, found := strings.Cut(r.Repo, "@"); found {
		if repo == "" || rev == "" {
			return Ref{}, fmt.Errorf("hub reference %q: empty repository or revision around @", s)
		}
		r.Repo, r.Revision = repo, rev
	}
	for _, seg := range strings.Split(r.File, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return Ref{}, fmt.Errorf("hub reference %q: bad file path %q", s, r.File)
		}
	}
	return r, nil
}

// String gives the reference back in hf:// form.
func (r Ref) String() string {
	repo := r.Repo
	if r.Revision != "" && r.Revision != DefaultRevision {
		repo += "@" + r.Revision
	}
	return Scheme + r.Owner + "/" + repo + "/" + r.File
}

// Name is the file name the download is saved under.
func (r Ref) Name() string { return path.Base(r.File) }

// resolveURL is where the hub serves the file: ENDPOINT/OWNER/REPO/resolve/REV/PATH.
func (r Ref) resolveURL(endpoint string) string {
	rev := r.Revision
	if rev == "" {
		rev = DefaultRevision
	}
	segs := strings.Split(r.File, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.TrimRight(endpoint, "/") + "/" + url.PathEscape(r.Owner) + "/" + url.PathEscape(r.Repo) +
		"/resolve/" + url.PathEscape(rev) + "/" + strings.Join(segs, "/")
}
