package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/server"
	"github.com/codeloom/codeloom/server/engine"
)

// apiErr is the error object of a JSON error body or of a stream's error event.
type apiErr struct {
	Error struct{ Code, Message, Type string }
}

// decodeErr decodes a JSON error, failing the test when body is not one.
func decodeErr(t *testing.T, body []byte) apiErr {
	t.Helper()
	var e apiErr
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" || e.Error.Type == "" {
		t.Fatalf("not a JSON error (%v): %q", err, body)
	}
	return e
}

// serveHTTP serves srv with its own HTTPServer on a loopback listener, as
// `codeloom serve` does, and returns the base URL.
func serveHTTP(t *testing.T, opt server.Options) (*server.Server, *http.Server, string) {
	t.Helper()
	if opt.Engine == nil {
		opt.Engine = testEngine
	}
	if opt.ModelsDir == "" {
		opt.ModelsDir = newStore(t)
	}
	srv, err := server.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := srv.HTTPServer()
	go hs.Serve(ln)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return srv, hs, "http://" + ln.Addr().String()
}

// postStream posts body to path and returns the response once its status
// line is in.
func postStream(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	return resp
}

// lastEvents reads a whole stream and returns its last two events.
func lastEvents(t *testing.T, r io.Reader) (sseEvent, sseEvent) {
	t.Helper()
	events := readSSE(t, r)
	if len(events) < 2 {
		t.Fatalf("stream of %d events: %+v", len(events), events)
	}
	return events[len(events)-2], events[len(events)-1]
}

// TestStreamTimeoutEndsWithError: a stream cut by the request timeout ends
// with an error the client can read, on every streaming route.
func TestStreamTimeoutEndsWithError(t *testing.T) {
	_, ts := start(t, server.Options{Engine: slowEngine{testEngine, 20 * time.Millisecond}, RequestTimeout: 300 * time.Millisecond})
	t.Run("generate", func(t *testing.T) {
		resp := postStream(t, ts.URL+"/generate", `{"prompt":"Once upon a time","max_tokens":400,"temperature":0,"stream":true}`)
		defer resp.Body.Close()
		_, last := lastEvents(t, resp.Body)
		if last.name != "error" || decodeErr(t, []byte(last.data)).Error.Code != "timeout" {
			t.Fatalf("last event %+v, want an error event with code timeout", last)
		}
	})
	for _, route := range []struct{ path, body string }{
		{"/v1/completions", `{"model":"tiny","prompt":"Once upon a time","max_tokens":400,"stream":true}`},
		{"/v1/chat/completions", `{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":400,"stream":true}`},
	} {
		t.Run(route.path, func(t *testing.T) {
			resp := postStream(t, ts.URL+route.path, route.body)
			defer resp.Body.Close()
			errChunk, done := lastEvents(t, resp.Body)
			if done.data != "[DONE]" || decodeErr(t, []byte(errChunk.data)).Error.Code != "timeout" {
				t.Fatalf("stream ends with %+v then %+v, want an error chunk with code timeout then [DONE]", errChunk, done)
			}
		})
	}
}

// rawRequest opens a connection and sends head and then part of a body:
// a client that stalls mid-body.
func rawRequest(t *testing.T, base, head string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	return conn
}

const slowBodyHead = "POST /generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":"

// readResponse reads one response from conn within limit.
func readResponse(t *testing.T, conn net.Conn, limit time.Duration) (*http.Response, []byte) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(limit))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response within %v: %v", limit, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestReadAndIdleTimeouts(t *testing.T) {
	_, _, base := serveHTTP(t, server.Options{Engine: slowEngine{testEngine, 20 * time.Millisecond},
		ReadTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	t.Run("slow body gets 408", func(t *testing.T) {
		conn := rawRequest(t, base, slowBodyHead)
		resp, body := readResponse(t, conn, 3*time.Second)
		if resp.StatusCode != http.StatusRequestTimeout || decodeErr(t, body).Error.Code != "request_timeout" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("idle connection closed", func(t *testing.T) {
		conn := rawRequest(t, base, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
		r := bufio.NewReader(conn)
		_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		// The server closes the kept-alive connection after IdleTimeout:
		// the read ends with EOF, not with our own 3 s deadline.
		start := time.Now()
		if _, err := r.ReadByte(); err != io.EOF {
			t.Fatalf("idle connection not closed by the server after %v: %v", time.Since(start), err)
		}
	})
	t.Run("stream outlives the read timeout", func(t *testing.T) {
		// 40 pieces at 20 ms each take longer than ReadTimeout, which
		// bounds reading the request only: net/http lifts the read
		// deadline once the body is in, or a stream would be cancelled.
		resp := postStream(t, base+"/generate", `{"prompt":"Once upon a time","max_tokens":40,"temperature":0,"stream":true}`)
		defer resp.Body.Close()
		_, last := lastEvents(t, resp.Body)
		if last.name != "done" {
			t.Fatalf("last event %+v, want done", last)
		}
	})
}

// TestShutdown: on shutdown a queued request is answered 503
// shutting_down, a client stalled mid-body too, an in-flight stream ends
// with an error event before the deadline, and Shutdown returns nil
// within its timeout.
func TestShutdown(t *testing.T) {
	srv, hs, base := serveHTTP(t, server.Options{Engine: slowEngine{testEngine, 20 * time.Millisecond}, Parallel: 1,
		ReadTimeout: time.Minute})
	c := client{t: t, base: base}
	inflight, rest := streamStart(t, base, 400) // 8 s of pieces
	defer inflight.Body.Close()
	c.waitMetric("codeloom_requests_in_flight", 1)
	queued := make(chan apiErr, 1)
	go func() {
		st, _, body := c.do("POST", "/generate", `{"prompt":"Hi","max_tokens":2}`)
		var e apiErr
		_ = json.Unmarshal(body, &e)
		if st != http.StatusServiceUnavailable {
			e.Error.Code = fmt.Sprintf("status %d: %s", st, body)
		}
		queued <- e
	}()
	c.waitMetric("codeloom_queue_depth", 1)
	slow := rawRequest(t, base, slowBodyHead)
	time.Sleep(50 * time.Millisecond) // let the server start reading its body

	const timeout = 1500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	began := time.Now()
	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(ctx, hs) }()

	select {
	case e := <-queued:
		if e.Error.Code != "shutting_down" {
			t.Fatalf("queued request: %+v", e)
		}
	case <-time.After(timeout / 2):
		t.Fatal("queued request not answered at once")
	}
	resp, body := readResponse(t, slow, timeout/2)
	if resp.StatusCode != http.StatusServiceUnavailable || decodeErr(t, body).Error.Code != "shutting_down" {
		t.Fatalf("stalled body: %d %s", resp.StatusCode, body)
	}
	_, last := lastEvents(t, rest)
	if last.name != "error" || decodeErr(t, []byte(last.data)).Error.Code != "shutting_down" {
		t.Fatalf("in-flight stream ends with %+v, want an error event with code shutting_down", last)
	}
	if err := <-shutdown; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(began); d > timeout+500*time.Millisecond {
		t.Fatalf("shutdown took %v, over its timeout of %v", d, timeout)
	}
}

// TestErrorBodiesAreJSON: every error status the server answers has a
// JSON error body, not only those of the API's handlers.
func TestErrorBodiesAreJSON(t *testing.T) {
	_, ts := start(t, server.Options{CORSOrigins: []string{"https://app.example"}, MaxHeaderBytes: 8 << 10})
	cases := []struct {
		name, method, path string
		header             map[string]string
		status             int
		code               string
	}{
		{"unknown route", "GET", "/nothing", nil, 404, "not_found"},
		{"missing asset", "GET", "/assets/nothing.js", nil, 404, "not_found"},
		{"wrong method", "GET", "/generate", nil, 405, "method_not_allowed"},
		{"origin not allowed", "POST", "/generate", map[string]string{"Origin": "https://evil.example"}, 403, "origin_not_allowed"},
		{"header too large", "GET", "/health", map[string]string{"X-Big": strings.Repeat("a", 16<<10)}, 431, "header_too_large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader(`{"prompt":"x"}`))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || decodeErr(t, body).Error.Code != tc.code {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, body, tc.status, tc.code)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
		})
	}
}

// TestBrokenModel: a model file the engine cannot load is answered with a
// 4xx naming the model, not 503, and no response shows where the store is.
func TestBrokenModel(t *testing.T) {
	dir := newStore(t)
	if err := os.WriteFile(filepath.Join(dir, "broken.gguf"), []byte("GGUF not really a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ts := start(t, server.Options{ModelsDir: dir, Inspect: engine.Inspect, DefaultModel: "tiny"})
	c := client{t: t, base: ts.URL}
	for _, path := range []string{"/generate", "/v1/completions"} {
		st, _, body := c.do("POST", path, `{"model":"broken","prompt":"Hi","max_tokens":2}`)
		e := decodeErr(t, body)
		if st != http.StatusUnprocessableEntity || e.Error.Code != "model_load_failed" || !strings.Contains(e.Error.Message, `"broken"`) {
			t.Fatalf("%s: %d %s, want 422 model_load_failed naming the model", path, st, body)
		}
		if strings.Contains(string(body), dir) {
			t.Fatalf("%s: the store's path in %s", path, body)
		}
	}
	// The other model still serves.
	if st := c.postJSON("/generate", map[string]any{"prompt": "Hi", "max_tokens": 2}, nil); st != 200 {
		t.Fatalf("tiny after broken: %d", st)
	}
	for _, path := range []string{"/models", "/v1/models", "/health"} {
		_, _, body := c.do("GET", path, "")
		if strings.Contains(string(body), dir) || strings.Contains(string(body), `"path":"/`) {
			t.Fatalf("%s shows an absolute path: %s", path, body)
		}
	}
	var list struct {
		Models []struct{ Name, Path, Error string }
	}
	_, _, body := c.do("GET", "/models", "")
	if err := json.Unmarshal(body, &list); err != nil || len(list.Models) != 2 ||
		list.Models[0].Path != "broken.gguf" || list.Models[0].Error == "" || list.Models[1].Path != "tiny.gguf" {
		t.Fatalf("models %s: %v", body, err)
	}
	// A missing store is reported without its path either.
	missing := filepath.Join(t.TempDir(), "gone")
	_, ts2 := start(t, server.Options{ModelsDir: missing})
	for _, path := range []string{"/health", "/models"} {
		_, _, body := client{t: t, base: ts2.URL}.do("GET", path, "")
		if strings.Contains(string(body), missing) || !strings.Contains(string(body), "no such file") {
			t.Fatalf("%s: %s", path, body)
		}
	}
}

// TestLocalOnlyWithoutKey: without an API key the server answers only
// requests addressed to this machine with JSON bodies, which keeps other
// web sites in the user's browser out; a key lifts both checks.
func TestLocalOnlyWithoutKey(t *testing.T) {
	_, open := start(t, server.Options{})
	_, allowing := start(t, server.Options{AllowedHosts: []string{"codeloom.lan"}})
	_, keyed := start(t, server.Options{APIKeys: []string{"k"}})
	const body = `{"prompt":"Hi","max_tokens":1}`
	cases := []struct {
		name        string
		base        string
		key         string
		host, ctype string
		status      int
		code        string
	}{
		{"localhost", open.URL, "", "localhost", "application/json", 200, ""},
		{"loopback address", open.URL, "", "", "application/json; charset=utf-8", 200, ""},
		{"rebound name", open.URL, "", "evil.example:8000", "application/json", 403, "host_not_allowed"},
		{"text/plain body", open.URL, "", "", "text/plain;charset=UTF-8", 415, "unsupported_media_type"},
		{"form body", open.URL, "", "", "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
		{"allowed host", allowing.URL, "", "codeloom.lan", "application/json", 200, ""},
		{"other host still refused", allowing.URL, "", "evil.example", "application/json", 403, "host_not_allowed"},
		{"key: any host", keyed.URL, "k", "evil.example", "application/json", 200, ""},
		{"key: text/plain body", keyed.URL, "k", "", "text/plain", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", tc.base+"/generate", strings.NewReader(body))
			req.Header.Set("Content-Type", tc.ctype)
			if tc.host != "" {
				req.Host = tc.host
			}
			if tc.key != "" {
				req.Header.Set("Authorization", "Bearer "+tc.key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, b, tc.status)
			}
			if tc.code != "" && decodeErr(t, b).Error.Code != tc.code {
				t.Fatalf("%s, want code %s", b, tc.code)
			}
		})
	}
}
