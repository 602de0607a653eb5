package extract

import (
	"context"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport/http"
)

func TestOptionsRejected(t *testing.T) {
	dir := t.TempDir()
	for name, o := range map[string]Options{
		"no output":        {Sources: []string{dir}},
		"no sources":       {Out: dir + "/ds", CacheDir: dir},
		"unknown language": {Sources: []string{dir}, Out: dir + "/ds", CacheDir: dir, Languages: []string{"cobol"}},
		"val ratio 1":      {Sources: []string{dir}, Out: dir + "/ds", CacheDir: dir, ValRatio: 1},
	} {
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

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
