package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

func TestParseSource(t *testing.T) {
	dir := t.TempDir()
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
		s, err := ParseSource(tc.spec)
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		if s.URL != tc.url || s.Ref != tc.ref || s.Repo != tc.repo || !s.IsGit() {
			t.Errorf("%s: url %q ref %q repo %q", tc.spec, s.URL, s.Ref, s.Repo)
		}
		if got := s.blobURL("abc", "a/b.py", 3, 9); got != tc.blob {
			t.Errorf("%s: blob URL %q, want %q", tc.spec, got, tc.blob)
		}
	}
	s, err := ParseSource(dir)
	if err != nil || s.IsGit() || s.Dir != dir || s.Repo != filepath.Base(dir) {
		t.Errorf("folder: %+v, %v", s, err)
	}
	for _, bad := range []string{"", "no/such/folder", "ftp://host/x", "just-a-word"} {
		if _, err := ParseSource(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestExpandSources(t *testing.T) {
	list := filepath.Join(t.TempDir(), "list.txt")
	os.WriteFile(list, []byte("# repos\nhttps://github.com/a/b\n\n  github.com/c/d@v1   # pinned\n"), 0o644)
	got, err := ExpandSources([]string{"x", "@" + list, "y"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[x https://github.com/a/b github.com/c/d@v1 y]"; fmt.Sprint(got) != want {
		t.Errorf("got %s, want %s", fmt.Sprint(got), want)
	}
	if _, err := ExpandSources([]string{"@/no/such/list"}); err == nil {
		t.Error("missing list accepted")
	}
}

func TestClassifyLicense(t *testing.T) {
	goLicense, err := os.ReadFile(filepath.Join(testfixture.GoRoot(t), "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		mitLicense:        "MIT",
		string(goLicense): "BSD-3-Clause",
		"                                 Apache License\n                           Version 2.0, January 2004\n":                                                "Apache-2.0",
		"                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n ... use the GNU Lesser General Public License instead": "GPL-3.0",
		"                   GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n":                                                 "LGPL-3.0",
		"GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991":                                                                                                       "GPL-2.0",
		"Mozilla Public License Version 2.0\n==================================":                                                                                 "MPL-2.0",
		"This is free and unencumbered software released into the public domain.":                                                                                "Unlicense",
		"Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted":                                 "ISC",
		"                       The Artistic License 2.0\n\n           Copyright (c) 2000-2006, The Perl Foundation.":                                            "Artistic-2.0",
		"All rights reserved. Do not copy.": "",
	}
	for text, want := range cases {
		if got := ClassifyLicense(text); got != want {
			t.Errorf("ClassifyLicense(%.40q...) = %q, want %q", text, got, want)
		}
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"LICENSE.md": mitLicense})
	if got := DetectLicense(dir); got != "MIT" {
		t.Errorf("DetectLicense = %q", got)
	}
	if got := DetectLicense(t.TempDir()); got != "" {
		t.Errorf("DetectLicense of a folder without licence = %q", got)
	}
}
