package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

func TestDownloadURL(t *testing.T) {
	good := tinyGGUF(3000)
	sum := sha256.Sum256(good)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("token sent to a host that is not the hub: %q", r.Header.Get("Authorization"))
		}
		switch r.URL.Path {
		case "/files/m.gguf": // a plain server: no checksum
		case "/files/sum.gguf":
			w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		case "/files/lie.gguf":
			w.Header().Set("ETag", `"`+sha256Of([]byte("other"))+`"`)
		default:
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "m.gguf", time.Time{}, bytes.NewReader(good))
	}))
	defer srv.Close()
	c := &Client{Endpoint: "https://hub.invalid", Token: "secret"}
	for _, tc := range []struct {
		file, wantSum string
		wantErr       bool
	}{
		{"m.gguf", "", false},
		{"sum.gguf", hex.EncodeToString(sum[:]), false},
		{"lie.gguf", "", true},
		{"missing.gguf", "", true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			res, err := c.DownloadURL(context.Background(), srv.URL+"/files/"+tc.file+"?sig=x", dir, nil)
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				assertNoFiles(t, dir)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Path != filepath.Join(dir, tc.file) || res.SHA256 != tc.wantSum || res.Size != int64(len(good)) {
				t.Fatalf("result %+v", res)
			}
			assertFile(t, res.Path, good)
		})
	}
}

func TestURLFileName(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{"https://h/a/b/model.gguf", "model.gguf"},
		{"http://h/model.gguf?download=1", "model.gguf"},
		{"https://h/model.bin", ""},
		{"ftp://h/model.gguf", ""},
		{"https:///model.gguf", ""},
		{"https://h/.gguf", ""},
	} {
		got, err := URLFileName(tc.url)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("URLFileName(%q) = %q, %v; want %q", tc.url, got, err, tc.want)
		}
	}
}
