package source

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
)

func TestAuthFor(t *testing.T) {
	if a, ok := authFor("https://github.com/me/private", "tok").(*http.BasicAuth); !ok || a.Password != "tok" {
		t.Errorf("https with token: %v", a)
	}
	for _, u := range []string{"file:///srv/repo", "git@github.com:me/x.git"} {
		if a := authFor(u, "tok"); a != nil {
			t.Errorf("%s: token sent: %v", u, a)
		}
	}
	if a := authFor("https://github.com/a/b", ""); a != nil {
		t.Errorf("no token: %v", a)
	}
}

// TestGitOpen clones a repository made in the test through file:// at a
// branch, a tag and a commit, and opens each again from the cache.
func TestGitOpen(t *testing.T) {
	repo := t.TempDir()
	r, err := git.PlainInit(repo, false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	commit := func(name string) plumbing.Hash {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Add(name); err != nil {
			t.Fatal(err)
		}
		h, err := w.Commit(name, &git.CommitOptions{Author: &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(1700000000, 0)}})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	first := commit("a.txt")
	if _, err := r.CreateTag("v1", first, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("dev"), Create: true}); err != nil {
		t.Fatal(err)
	}
	second := commit("b.txt")
	url := "file://" + filepath.ToSlash(repo)
	cache := t.TempDir()
	for _, tc := range []struct {
		spec  string
		want  plumbing.Hash
		files int
	}{
		{url + "@v1", first, 1},
		{url + "@dev", second, 2},
		{url + "@" + second.String()[:10], second, 2},
	} {
		s, err := Parse(tc.spec, Options{CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // cloned, then from the cache
			tree, err := s.Open(context.Background())
			if err != nil {
				t.Fatalf("%s: %v", tc.spec, err)
			}
			files, _ := filepath.Glob(filepath.Join(tree.Dir, "*.txt"))
			if tree.Commit != tc.want.String() || len(files) != tc.files || filepath.Dir(tree.Dir) != filepath.Join(cache, "repos") {
				t.Errorf("%s: commit %s, files %v in %s", tc.spec, tree.Commit, files, tree.Dir)
			}
		}
	}
}
