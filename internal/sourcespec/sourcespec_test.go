package sourcespec

import "testing"

func TestIsLocal(t *testing.T) {
	for _, tt := range []struct {
		spec  string
		local bool
	}{
		{"src/project", true},
		{"./github.com/a/b", true}, // a folder that happens to be named like a host
		{"/abs/path", true},
		{"@list.txt", true},
		{"name@2x/folder", true}, // an @ but no colon before the slash
		{"C:/not/scp", true},     // a colon but no @ before it
		{"https://github.com/a/b", false},
		{"file:///srv/git/x.git", false},
		{"github.com/a/b@v1", false},
		{"git@github.com:a/b.git", false},
		{"user@host:repo", false},
	} {
		if got := IsLocal(tt.spec); got != tt.local {
			t.Errorf("IsLocal(%q) = %v, want %v", tt.spec, got, tt.local)
		}
	}
}
