package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	o := Options{CacheDir: "/cache", Token: "tok"}
	cases := []struct {
		spec, url, ref, repo, blob string
	}{
		{"https://github.com/psf/requests", "https://github.com/psf/requests", "", "github.com/psf/requests", "https://github.com/psf/requests/blob/abc/a/b.py#L3-L9"},
		{"https://github.com/psf/requests.git@v2.31.0", "https://github.com/psf/requests.git", "v2.31.0", "github.com/psf/requests", "https://github.com/psf/requests/blob/abc/a/b.py#L3-L9"},
		{"github.com/golang/go@release-branch.go1.22", "https://github.com/golang/go", "release-branch.go1.22", "github.com/golang/go", "https://github.com/golang/go/blob/abc/a/b.py#L3-L9"},
		{"git@github.com:owner/name.git@main", "git@github.com:owner/name.git", "main", "github.com/owner/name", "https://github.com/owner/name/blob/abc/a/b.py#L3-L9"},
		{"https://gitlab.com/group/sub/proj", "https://gitlab.com/group/sub/proj", "", "gitlab.com/group/sub/proj", ""},
		{"ssh://git@example.org:2222/x/y.git", "ssh://git@example.org:2222/x/y.git", "", "example.org/x/y", ""},
		{"file:///srv/git/tool.git@1a2b3c4d", "file:///srv/git/tool.git", "1a2b3c4d", "tool", ""},
	}
	for _, tc := range cases {
		s, err := Parse(tc.spec, o)
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		g, ok := s.(Git)
		if !ok || g.URL != tc.url || g.Ref != tc.ref || g.Name() != tc.repo || g.CacheDir != o.CacheDir || g.Token != o.Token {
			t.Errorf("%s: %#v", tc.spec, s)
			continue
		}
		if got := g.tree("/x", "abc").LineURL("a/b.py", 3, 9); got != tc.blob {
			t.Errorf("%s: line URL %q, want %q", tc.spec, got, tc.blob)
		}
	}
	s, err := Parse(dir, o)
	if f, ok := s.(Folder); err != nil || !ok || f.Dir != dir || f.Name() != filepath.Base(dir) {
		t.Errorf("folder: %+v, %v", s, err)
	}
	tree, err := s.Open(context.Background())
	if err != nil || tree.Dir != dir || tree.Commit != "" || tree.LineURL("a.go", 1, 2) != "" {
		t.Errorf("folder opened as %+v, %v", tree, err)
	}
	for _, bad := range []string{"", "no/such/folder", "ftp://host/x", "just-a-word"} {
		if _, err := Parse(bad, o); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestExpand(t *testing.T) {
	list := filepath.Join(t.TempDir(), "list.txt")
	os.WriteFile(list, []byte("# repos\nhttps://github.com/a/b\n\n  github.com/c/d@v1   # pinned\n"), 0o644)
	got, err := Expand([]string{"x", "@" + list, "y"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[x https://github.com/a/b github.com/c/d@v1 y]"; fmt.Sprint(got) != want {
		t.Errorf("got %s, want %s", fmt.Sprint(got), want)
	}
	if _, err := Expand([]string{"@/no/such/list"}); err == nil {
		t.Error("missing list accepted")
	}
}
