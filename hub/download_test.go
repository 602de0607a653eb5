package hub

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		want    Ref
		wantErr bool
	}{
		{in: "hf://Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q8_0.gguf",
			want: Ref{Owner: "Qwen", Repo: "Qwen2.5-Coder-0.5B-Instruct-GGUF", Revision: "main", File: "qwen2.5-coder-0.5b-instruct-q8_0.gguf"}},
		{in: "hf://o/r@v1.0/sub/dir/m.gguf", want: Ref{Owner: "o", Repo: "r", Revision: "v1.0", File: "sub/dir/m.gguf"}},
		{in: "https://huggingface.co/o/r/m.gguf", wantErr: true},
		{in: "hf://o/r", wantErr: true},
		{in: "hf://o//m.gguf", wantErr: true},
		{in: "hf://o/r/../m.gguf", wantErr: true},
		{in: "hf://o/r@/m.gguf", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRef(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRef(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Fatalf("ParseRef(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if err == nil && got.String() != tt.in {
				t.Fatalf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestResolveURLEscapes(t *testing.T) {
	r := Ref{Owner: "o", Repo: "r", Revision: "refs/pr/1", File: "a b/m#1.gguf"}
	want := "http://h/o/r/resolve/refs%2Fpr%2F1/a%20b/m%231.gguf"
	if got := r.resolveURL("http://h/"); got != want {
		t.Fatalf("resolveURL = %q, want %q", got, want)
	}
}

func TestDownload(t *testing.T) {
	model := tinyGGUF(50_000) // about 200 KB
	small := []byte(`{"architectures": ["tiny"]}`)
	tests := []struct {
		name     string
		hub      *fakeHub
		ref      string
		token    string
		want     []byte
		wantErr  error
		wantGets int // GETs the file store must see; -1 to skip the check
	}{
		{name: "redirect to file store", ref: "hf://o/r/m.gguf", want: model, wantGets: 1},
		{name: "private with token", hub: &fakeHub{private: true, token: "hf_secret"}, token: "hf_secret",
			ref: "hf://o/r/m.gguf", want: model, wantGets: 1},
		{name: "private without token", hub: &fakeHub{private: true, token: "hf_secret"},
			ref: "hf://o/r/m.gguf", wantErr: ErrUnauthorized, wantGets: 0},
		{name: "missing file", ref: "hf://o/r/nope.gguf", wantErr: ErrNotFound, wantGets: 0},
		{name: "wrong checksum", hub: &fakeHub{badSHA: true}, ref: "hf://o/r/m.gguf", wantErr: ErrChecksum, wantGets: 1},
		{name: "store ignores Range", hub: &fakeHub{noRange: true}, ref: "hf://o/r/m.gguf", want: model, wantGets: 1},
		{name: "renamed repository", hub: &fakeHub{renamed: map[string]string{"old/r": "o/r"}},
			ref: "hf://old/r/m.gguf", want: model, wantGets: 1},
		{name: "small file without checksum", ref: "hf://o/r/config.json", want: small, wantGets: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.hub
			if h == nil {
				h = &fakeHub{}
			}
			h.lfs = map[string][]byte{"o/r/m.gguf": model}
			h.small = map[string][]byte{"o/r/config.json": small}
			c := &Client{Endpoint: h.start(t), Token: tt.token}
			dir := t.TempDir()
			ref, err := ParseRef(tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			var last int64
			got, err := c.Download(context.Background(), ref, dir, func(done, total int64) { last = done })
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Download error = %v, want %v", err, tt.wantErr)
				}
				assertNoFiles(t, dir)
			} else {
				if err != nil {
					t.Fatalf("Download: %v", err)
				}
				assertFile(t, got.Path, tt.want)
				if wantSHA := h.lfs[ref.Owner+"/"+ref.Repo+"/"+ref.File]; wantSHA != nil && got.SHA256 != sha256Of(wantSHA) {
					t.Errorf("Result.SHA256 = %q, want the verified %q", got.SHA256, sha256Of(wantSHA))
				}
				if got.Size != int64(len(tt.want)) {
					t.Errorf("Result.Size = %d, want %d", got.Size, len(tt.want))
				}
				if last != int64(len(tt.want)) {
					t.Errorf("last progress = %d, want %d", last, len(tt.want))
				}
			}
			if h.storeGets != tt.wantGets {
				t.Errorf("file store GETs = %d, want %d", h.storeGets, tt.wantGets)
			}
			for _, a := range h.storeAuth {
				if a != "" {
					t.Errorf("file store saw Authorization %q: the token must stay with the hub", a)
				}
			}
		})
	}
}

func TestDownloadResumesAfterInterruption(t *testing.T) {
	model := tinyGGUF(50_000)
	const cut = 70_001
	h := &fakeHub{lfs: map[string][]byte{"o/r/m.gguf": model}, cutAfter: cut}
	c := &Client{Endpoint: h.start(t)}
	dir := t.TempDir()
	ref, _ := ParseRef("hf://o/r/m.gguf")

	_, err := c.Download(context.Background(), ref, dir, nil)
	if err == nil || !strings.Contains(err.Error(), "run again to resume") {
		t.Fatalf("interrupted Download error = %v, want a resumable failure", err)
	}
	part := filepath.Join(dir, "m.gguf"+PartSuffix)
	if st, err := os.Stat(part); err != nil || st.Size() != cut {
		t.Fatalf("partial file after interruption: %v (size %d), want %d bytes", err, sizeOf(st), cut)
	}
	if _, err := os.Stat(filepath.Join(dir, "m.gguf")); !os.IsNotExist(err) {
		t.Fatalf("destination exists after an interrupted download: %v", err)
	}

	got, err := c.Download(context.Background(), ref, dir, nil)
	if err != nil {
		t.Fatalf("resumed Download: %v", err)
	}
	assertFile(t, got.Path, model)
	if want := []string{"", "bytes=70001-"}; strings.Join(h.ranges, ",") != strings.Join(want, ",") {
		t.Fatalf("Range headers = %q, want %q", h.ranges, want)
	}

	// A third call finds the file complete and fetches nothing.
	if _, err := c.Download(context.Background(), ref, dir, nil); err != nil {
		t.Fatal(err)
	}
	if h.storeGets != 2 {
		t.Fatalf("file store GETs = %d after a download of a complete file, want 2", h.storeGets)
	}
}

func TestDownloadReplacesStalePart(t *testing.T) {
	model := tinyGGUF(1000)
	h := &fakeHub{lfs: map[string][]byte{"o/r/m.gguf": model}}
	c := &Client{Endpoint: h.start(t)}
	dir := t.TempDir()
	// Longer than the file: left over from another version of it.
	if err := os.WriteFile(filepath.Join(dir, "m.gguf"+PartSuffix), bytes.Repeat([]byte{7}, len(model)+10), 0o644); err != nil {
		t.Fatal(err)
	}
	ref, _ := ParseRef("hf://o/r/m.gguf")
	got, err := c.Download(context.Background(), ref, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertFile(t, got.Path, model)
}

func TestDownloadCancelled(t *testing.T) {
	h := &fakeHub{lfs: map[string][]byte{"o/r/m.gguf": tinyGGUF(10)}}
	c := &Client{Endpoint: h.start(t)}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ref, _ := ParseRef("hf://o/r/m.gguf")
	if _, err := c.Download(ctx, ref, t.TempDir(), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Download with a cancelled context: %v, want context.Canceled", err)
	}
}

func assertFile(t *testing.T, path string, want []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("%s: %d bytes differ from the %d served", path, len(b), len(want))
	}
	if _, err := os.Stat(path + PartSuffix); !os.IsNotExist(err) {
		t.Fatalf("%s left behind after success", path+PartSuffix)
	}
}

func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind after failure: %s", e.Name())
	}
}

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return -1
	}
	return st.Size()
}
