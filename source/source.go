// Package source opens the things extraction reads from: a git repository
// (cloned with go-git into a cache folder and kept up to date there), a
// local folder, and @list files that name more of them. Each kind is a
// Source; Parse reads one as written on the command line and Expand
// replaces @list files by what they list.
//
//	specs, err := source.Expand(args)
//	...
//	src, err := source.Parse(specs[0], source.Options{CacheDir: cache})
//	tree, err := src.Open(ctx) // tree.Dir holds the files, tree.Commit the commit
package source

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/codeloom/codeloom/internal/sourcespec"
)

// Source is one thing to extract from.
type Source interface {
	// Name is what records call the source (their repo field):
	// host/owner/name for remote repositories, the folder or repository
	// name for local ones.
	Name() string
	// Open makes the source's files available in a folder on disk.
	Open(ctx context.Context) (Tree, error)
}

// Tree is a source's files as Open made them available.
type Tree struct {
	Dir    string // the folder that holds the files
	Commit string // the commit checked out; "" for a folder read in place
	web    string // the repository's GitHub page, for links to lines
}

// LineURL links lines start to end of the file rel (slash-separated, from
// Dir) on GitHub at Commit; "" for other hosts and for folders.
func (t Tree) LineURL(rel string, start, end int) string {
	if t.web == "" || t.Commit == "" {
		return ""
	}
	return fmt.Sprintf("%s/blob/%s/%s#L%d-L%d", t.web, t.Commit, rel, start, end)
}

// Options configure the sources that Parse makes.
type Options struct {
	CacheDir string // git clones go under CacheDir/repos
	Token    string // for private repositories over HTTPS (GITHUB_TOKEN)
}

// Parse reads a source as written on the command line: a local folder, a
// git URL (https, ssh, git, file, or scp-like user@host:path), or
// github.com/owner/name; a URL may end in @ref for a branch, tag or commit.
// A folder is a Folder, anything else a Git.
func Parse(spec string, o Options) (Source, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("empty source")
	}
	var g Git
	var err error
	switch {
	case sourcespec.IsLocal(spec):
		return parseFolder(spec)
	case strings.HasPrefix(spec, "github.com/"):
		g, err = parseURL(spec, "https://"+spec)
	case strings.Contains(spec, "://"):
		g, err = parseURL(spec, spec)
	default:
		g = parseSCP(spec)
	}
	if err != nil {
		return nil, err
	}
	g.CacheDir, g.Token = o.CacheDir, o.Token
	return g, nil
}

func parseFolder(spec string) (Source, error) {
	if fi, err := os.Stat(spec); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("source %s: not a folder or a git URL", spec)
	}
	abs, err := filepath.Abs(spec)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", spec, err)
	}
	return Folder{Dir: abs}, nil
}

func parseURL(spec, raw string) (Git, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Git{}, fmt.Errorf("source %s: %w", spec, err)
	}
	switch u.Scheme {
	case "https", "http", "ssh", "git", "file":
	default:
		return Git{}, fmt.Errorf("source %s: unsupported scheme %q", spec, u.Scheme)
	}
	p, ref, _ := strings.Cut(u.Path, "@")
	u.Path = p
	g := Git{URL: u.String(), Ref: ref}
	name := strings.TrimSuffix(strings.Trim(p, "/"), ".git")
	if u.Scheme == "file" {
		g.Repo = path.Base(name)
	} else {
		g.Repo = u.Hostname() + "/" + name
	}
	if strings.EqualFold(u.Hostname(), "github.com") {
		g.web = "https://github.com/" + name
	}
	return g, nil
}

// parseSCP reads git@host:owner/name(.git)(@ref).
func parseSCP(spec string) Git {
	at := strings.Index(spec, "@")
	colon := at + strings.Index(spec[at:], ":")
	host, p := spec[at+1:colon], spec[colon+1:]
	p, ref, _ := strings.Cut(p, "@")
	name := strings.TrimSuffix(strings.Trim(p, "/"), ".git")
	g := Git{URL: spec[:colon+1] + p, Ref: ref, Repo: host + "/" + name}
	if strings.EqualFold(host, "github.com") {
		g.web = "https://github.com/" + name
	}
	return g
}
