package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Git is a git repository, cloned into a cache folder on Open and brought
// up to date there on later Opens.
type Git struct {
	URL  string // to clone from
	Ref  string // the branch, tag or commit; "" for the default branch
	Repo string // host/owner/name, or the repository's name for file URLs

	CacheDir string // the clone lives under CacheDir/repos
	Token    string // HTTP basic auth password for https URLs; "" for none

	web string // the GitHub page of the repository, for links to lines
}

// Name is Repo.
func (g Git) Name() string { return g.Repo }

// Open brings the cached clone up to date, cloning it when it is missing
// or unusable, and checks out Ref.
func (g Git) Open(ctx context.Context) (Tree, error) {
	dir, commit, err := fetchRepo(ctx, g)
	if err != nil {
		return Tree{}, err
	}
	return g.tree(dir, commit), nil
}

func (g Git) tree(dir, commit string) Tree { return Tree{Dir: dir, Commit: commit, web: g.web} }

var shaRe = regexp.MustCompile(`^[0-9a-fA-F]{7,40}$`)

// cachePath is where a repository's clone lives in the cache: one folder
// per URL and ref, named readably with a hash to keep names unique.
func cachePath(s Git) string {
	sum := sha256.Sum256([]byte(s.URL + "@" + s.Ref))
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s.Repo)
	return filepath.Join(s.CacheDir, "repos", name+"-"+hex.EncodeToString(sum[:6]))
}

// fetchRepo brings the cached clone of s up to date, cloning it when it is
// missing or unusable, and returns its folder and checked-out commit.
func fetchRepo(ctx context.Context, s Git) (dir, commit string, err error) {
	dir = cachePath(s)
	auth := authFor(s.URL, s.Token)
	if r, err := git.PlainOpen(dir); err == nil {
		if commit, err := refresh(ctx, r, s, auth); err == nil {
			return dir, commit, nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", "", fmt.Errorf("clone %s: %w", s.URL, err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", "", fmt.Errorf("clone %s: %w", s.URL, err)
	}
	// Clone beside the final folder and rename, so an interrupted clone
	// never looks like a usable cache entry.
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".clone-")
	if err != nil {
		return "", "", fmt.Errorf("clone %s: %w", s.URL, err)
	}
	defer os.RemoveAll(tmp)
	commit, err = cloneInto(ctx, tmp, s, auth)
	if err != nil {
		return "", "", fmt.Errorf("clone %s: %w", s.URL, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", "", fmt.Errorf("clone %s: %w", s.URL, err)
	}
	return dir, commit, nil
}

// authFor uses a token as HTTP basic auth password, which GitHub and GitLab
// accept for private repositories.
func authFor(rawURL, token string) transport.AuthMethod {
	if token == "" || !strings.HasPrefix(rawURL, "http") {
		return nil
	}
	return &http.BasicAuth{Username: "x-access-token", Password: token}
}

// cloneInto makes a shallow, single-branch clone without tags; a commit
// ref needs the branch's history, since servers only hand out shallow
// clones of named refs.
func cloneInto(ctx context.Context, dir string, s Git, auth transport.AuthMethod) (string, error) {
	opts := &git.CloneOptions{URL: s.URL, Auth: auth, SingleBranch: true, Tags: git.NoTags, Depth: 1}
	switch {
	case s.Ref == "":
		return clone(ctx, dir, opts)
	case shaRe.MatchString(s.Ref):
		opts.Depth, opts.NoCheckout = 0, true
		r, err := git.PlainCloneContext(ctx, dir, false, opts)
		if err != nil {
			return "", err
		}
		return checkoutCommit(ctx, r, s.Ref, auth)
	}
	opts.ReferenceName = plumbing.NewBranchReferenceName(s.Ref)
	commit, err := clone(ctx, dir, opts)
	if err == nil || !isRefNotFound(err) {
		return commit, err
	}
	if err := emptyDir(dir); err != nil {
		return "", err
	}
	opts.ReferenceName = plumbing.NewTagReferenceName(s.Ref)
	commit, err = clone(ctx, dir, opts)
	if err != nil && isRefNotFound(err) {
		return "", fmt.Errorf("no branch or tag %q", s.Ref)
	}
	return commit, err
}

func clone(ctx context.Context, dir string, opts *git.CloneOptions) (string, error) {
	r, err := git.PlainCloneContext(ctx, dir, false, opts)
	if err != nil {
		return "", err
	}
	return headCommit(r)
}

func isRefNotFound(err error) bool {
	var nf git.NoMatchingRefSpecError
	return errors.As(err, &nf) || errors.Is(err, plumbing.ErrReferenceNotFound) || strings.Contains(err.Error(), "couldn't find remote ref")
}

func emptyDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// checkoutCommit checks out a commit given by a (possibly short) SHA,
// fetching every branch when the default one does not contain it.
func checkoutCommit(ctx context.Context, r *git.Repository, sha string, auth transport.AuthMethod) (string, error) {
	h, err := r.ResolveRevision(plumbing.Revision(sha))
	if err != nil {
		err = r.FetchContext(ctx, &git.FetchOptions{Auth: auth, Tags: git.NoTags,
			RefSpecs: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"}})
		if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
			return "", err
		}
		if h, err = r.ResolveRevision(plumbing.Revision(sha)); err != nil {
			return "", fmt.Errorf("commit %s not found: %w", sha, err)
		}
	}
	w, err := r.Worktree()
	if err != nil {
		return "", err
	}
	if err := w.Checkout(&git.CheckoutOptions{Hash: *h, Force: true}); err != nil {
		return "", err
	}
	return h.String(), nil
}

// refresh updates a cached clone: a branch is fetched again and reset to
// its new head; tags and commits never change, so they are used as they are.
func refresh(ctx context.Context, r *git.Repository, s Git, auth transport.AuthMethod) (string, error) {
	if shaRe.MatchString(s.Ref) {
		return checkoutCommit(ctx, r, s.Ref, auth)
	}
	head, err := r.Head()
	if err != nil {
		return "", err
	}
	if !head.Name().IsBranch() {
		return head.Hash().String(), nil
	}
	branch := head.Name().Short()
	spec := config.RefSpec(fmt.Sprintf("+refs/heads/%s:refs/remotes/origin/%s", branch, branch))
	err = r.FetchContext(ctx, &git.FetchOptions{Auth: auth, Depth: 1, Tags: git.NoTags, RefSpecs: []config.RefSpec{spec}, Force: true})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return "", err
	}
	remote, err := r.Reference(plumbing.NewRemoteReferenceName("origin", branch), true)
	if err != nil {
		return "", err
	}
	w, err := r.Worktree()
	if err != nil {
		return "", err
	}
	if err := w.Reset(&git.ResetOptions{Commit: remote.Hash(), Mode: git.HardReset}); err != nil {
		return "", err
	}
	return remote.Hash().String(), nil
}

func headCommit(r *git.Repository) (string, error) {
	head, err := r.Head()
	if err != nil {
		return "", err
	}
	return head.Hash().String(), nil
}
