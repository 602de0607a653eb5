package hub

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeHub answers like the Hugging Face hub: /OWNER/REPO/resolve/REV/FILE
// redirects (302) large files to a file store on another host
// (STORE/cdn/OWNER/REPO/FILE?sig=...) with X-Linked-Etag and X-Linked-Size,
// serves small files directly with a git blob ETag, and the file store
// honours Range with 206 answers.
type fakeHub struct {
	lfs       map[string][]byte // repo path "OWNER/REPO/FILE" → content, served through the store
	small     map[string][]byte // served directly
	renamed   map[string]string // old "OWNER/REPO" → new
	private   bool              // hub paths need Bearer token
	token     string
	badSHA    bool  // announce a wrong checksum
	cutAfter  int64 // if > 0, the next store GET stops after this many bytes
	noRange   bool  // the store ignores Range
	mu        sync.Mutex
	ranges    []string // Range headers the store saw on GET
	storeAuth []string // Authorization headers the store saw
	storeGets int
	storeURL  string
}

func (f *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5)
	if len(parts) < 5 || parts[2] != "resolve" {
		http.NotFound(w, r)
		return
	}
	repo, file := parts[0]+"/"+parts[1], parts[4]
	if f.private && r.Header.Get("Authorization") != "Bearer "+f.token {
		w.Header().Set("X-Error-Code", "RepoNotFound")
		w.Header().Set("X-Error-Message", "Invalid credentials in Authorization header")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if to, ok := f.renamed[repo]; ok {
		http.Redirect(w, r, "/"+to+"/resolve/"+parts[3]+"/"+file, http.StatusTemporaryRedirect)
		return
	}
	if b, ok := f.small[repo+"/"+file]; ok {
		w.Header().Set("ETag", `"`+gitBlobID(b)+`"`)
		http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(b))
		return
	}
	b, ok := f.lfs[repo+"/"+file]
	if !ok {
		w.Header().Set("X-Error-Code", "EntryNotFound")
		w.Header().Set("X-Error-Message", "Entry not found")
		w.WriteHeader(http.StatusNotFound)
		return
	}
	sum := sha256Of(b)
	announced := sum
	if f.badSHA {
		announced = sha256Of([]byte("something else"))
	}
	w.Header().Set("X-Linked-Etag", `"`+announced+`"`)
	w.Header().Set("X-Linked-Size", strconv.Itoa(len(b)))
	w.Header().Set("ETag", `"`+announced+`"`)
	http.Redirect(w, r, f.storeURL+"/cdn/"+repo+"/"+file+"?sig=secret-signature", http.StatusFound)
}

func (f *fakeHub) serveStore(w http.ResponseWriter, r *http.Request) {
	b, ok := f.lfs[strings.TrimPrefix(r.URL.Path, "/cdn/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.storeAuth = append(f.storeAuth, r.Header.Get("Authorization"))
	cut := int64(0)
	if r.Method == http.MethodGet {
		f.storeGets++
		f.ranges = append(f.ranges, r.Header.Get("Range"))
		cut, f.cutAfter = f.cutAfter, 0
	}
	f.mu.Unlock()
	if f.noRange {
		r.Header.Del("Range")
	}
	if cut > 0 {
		// Announce the whole file, send part of it, drop the connection.
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		w.Write(b[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	http.ServeContent(w, r, "model.gguf", time.Time{}, bytes.NewReader(b))
}

// start runs the hub and its file store and returns the hub's URL.
func (f *fakeHub) start(t *testing.T) string {
	t.Helper()
	store := httptest.NewServer(http.HandlerFunc(f.serveStore))
	t.Cleanup(store.Close)
	f.storeURL = store.URL
	hub := httptest.NewServer(http.HandlerFunc(f.serveHub))
	t.Cleanup(hub.Close)
	return hub.URL
}

func sha256Of(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func gitBlobID(b []byte) string {
	// A git blob id is 40 hex digits: what matters here is that it is not a sha256.
	return fmt.Sprintf("%040x", len(b))
}

// tinyGGUF builds a valid GGUF v3 file: one string key and one F32 tensor of
// n random values, so it has the size and layout of a (very small) model.
func tinyGGUF(n int) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	str := func(s string) {
		binary.Write(&b, le, uint64(len(s)))
		b.WriteString(s)
	}
	b.WriteString("GGUF")
	binary.Write(&b, le, uint32(3)) // version
	binary.Write(&b, le, uint64(1)) // tensors
	binary.Write(&b, le, uint64(1)) // keys
	str("general.name")
	binary.Write(&b, le, uint32(8)) // string
	str("hub-test")
	str("weights")
	binary.Write(&b, le, uint32(1)) // dims
	binary.Write(&b, le, uint64(n))
	binary.Write(&b, le, uint32(0)) // F32
	binary.Write(&b, le, uint64(0)) // offset in data
	for b.Len()%32 != 0 {
		b.WriteByte(0)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range n {
		binary.Write(&b, le, rng.Float32())
	}
	return b.Bytes()
}
