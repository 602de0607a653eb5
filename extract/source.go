package extract

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/codeloom/codeloom/internal/sourcespec"
)

// Source is one thing to extract from: a git repository or a local folder.
type Source struct {
	Spec string // as given
	// For git repositories: the clone URL and the branch, tag or commit
	// (empty: the default branch).
	URL, Ref string
	// For local folders: the folder.
	Dir string
	// Repo is the name written into records: host/owner/name for remote
	// repositories, the folder or repository name for local ones.
	Repo string
	// web is the GitHub page of the repository, for blob links.
	web string
}

// IsGit reports whether the source is cloned rather than read in place.
func (s Source) IsGit() bool { return s.URL != "" }

// ParseSource reads a source as written on the command line: a local
// folder, a git URL (https, ssh, git, file, or scp-like user@host:path), or
// github.com/owner/name; a URL may end in @ref for a branch, tag or commit.
func ParseSource(spec string) (Source, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return Source{}, fmt.Errorf("empty source")
	}
	switch {
	case sourcespec.IsLocal(spec):
		if fi, err := os.Stat(spec); err != nil || !fi.IsDir() {
			return Source{}, fmt.Errorf("source %s: not a folder or a git URL", spec)
		}
		abs, err := filepath.Abs(spec)
		if err != nil {
			return Source{}, fmt.Errorf("source %s: %w", spec, err)
		}
		return Source{Spec: spec, Dir: abs, Repo: filepath.Base(abs)}, nil
	case strings.HasPrefix(spec, "github.com/"):
		return parseURL(spec, "https://"+spec)
	case strings.Contains(spec, "://"):
		return parseURL(spec, spec)
	}
	return parseSCP(spec)
}

func parseURL(spec, raw string) (Source, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Source{}, fmt.Errorf("source %s: %w", spec, err)
	}
	switch u.Scheme {
	case "https", "http", "ssh", "git", "file":
	default:
		return Source{}, fmt.Errorf("source %s: unsupported scheme %q", spec, u.Scheme)
	}
	p, ref, _ := strings.Cut(u.Path, "@")
	u.Path = p
	s := Source{Spec: spec, URL: u.String(), Ref: ref}
	name := strings.TrimSuffix(strings.Trim(p, "/"), ".git")
	if u.Scheme == "file" {
		s.Repo = path.Base(name)
	} else {
		s.Repo = u.Hostname() + "/" + name
	}
	if strings.EqualFold(u.Hostname(), "github.com") {
		s.web = "https://github.com/" + name
	}
	return s, nil
}

// parseSCP reads git@host:owner/name(.git)(@ref).
func parseSCP(spec string) (Source, error) {
	at := strings.Index(spec, "@")
	colon := at + strings.Index(spec[at:], ":")
	host, p := spec[at+1:colon], spec[colon+1:]
	p, ref, _ := strings.Cut(p, "@")
	name := strings.TrimSuffix(strings.Trim(p, "/"), ".git")
	s := Source{Spec: spec, URL: spec[:colon+1] + p, Ref: ref, Repo: host + "/" + name}
	if strings.EqualFold(host, "github.com") {
		s.web = "https://github.com/" + name
	}
	return s, nil
}

// ExpandSources replaces each @FILE argument by the sources listed in FILE,
// one per line; blank lines and # comments are skipped.
func ExpandSources(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		list, ok := strings.CutPrefix(a, "@")
		if !ok {
			out = append(out, a)
			continue
		}
		lines, err := readList(list)
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	return out, nil
}

func readList(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read source list: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read source list %s: %w", name, err)
	}
	return out, nil
}

// blobURL links a function on GitHub, "" for other hosts.
func (s Source) blobURL(commit, rel string, start, end int) string {
	if s.web == "" || commit == "" {
		return ""
	}
	return fmt.Sprintf("%s/blob/%s/%s#L%d-L%d", s.web, commit, rel, start, end)
}
