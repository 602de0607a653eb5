package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestModelsPull(t *testing.T) {
	model := append([]byte("GGUF"), bytes.Repeat([]byte{1, 2, 3}, 1000)...)
	sum := sha256.Sum256(model)
	t.Setenv("CODELOOM_HF_ENDPOINT", fakeHub(t, "o/r/m.gguf", model).URL)

	tests := []struct {
		name     string
		args     []string
		token    string
		wantCode int // 0 success, else the exit code of an ExitCoder, 1 for other errors
		wantOut  string
	}{
		{name: "ok", args: []string{"hf://o/r/m.gguf"}, token: "tok", wantOut: "sha256 " + hex.EncodeToString(sum[:]) + " verified"},
		{name: "no token", args: []string{"hf://o/r/m.gguf"}, wantCode: 1, wantOut: "HF_TOKEN"},
		{name: "missing", args: []string{"hf://o/r/x.gguf"}, token: "tok", wantCode: 1, wantOut: "not found"},
		{name: "bad reference", args: []string{"hf://o/m.gguf"}, wantCode: 2, wantOut: "hf://OWNER/REPO/FILE"},
		{name: "URL without a file", args: []string{"https://example.com/models/"}, wantCode: 2, wantOut: "FILE.gguf"},
		{name: "no argument", wantCode: 2, wantOut: "at least one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HF_TOKEN", tt.token)
			dir := t.TempDir()
			code, out := runCLI(append([]string{"models", "pull", "--out", dir}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) {
				t.Fatalf("exit %d, output %q; want exit %d and %q", code, out, tt.wantCode, tt.wantOut)
			}
			if code == 0 {
				got, err := os.ReadFile(filepath.Join(dir, "m.gguf"))
				if err != nil || !bytes.Equal(got, model) {
					t.Fatalf("downloaded file: %v, equal %v", err, bytes.Equal(got, model))
				}
			}
		})
	}
}

// fakeHub serves one file as the hub does for a small repository: at
// /OWNER/REPO/resolve/main/FILE, with its sha256 as ETag, to the bearer
// token "tok" only.
func fakeHub(t *testing.T, path string, content []byte) *httptest.Server {
	t.Helper()
	sum := sha256.Sum256(content)
	owner, file, _ := strings.Cut(path, "/")
	repo, file, _ := strings.Cut(file, "/")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+owner+"/"+repo+"/resolve/main/"+file {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(content))
	}))
	t.Cleanup(srv.Close)
	return srv
}
