package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/llm"
	"github.com/codeloom/codeloom/server"
	"github.com/codeloom/codeloom/server/engine"
)

// fixtureModel returns the path of the tiny real model shared by the
// project's tests, skipping when the fixtures folder is absent.
func fixtureModel(t testing.TB) string {
	t.Helper()
	return testfixture.Path(t, "stories260K.gguf")
}

// newStore makes a model store holding the fixture model as "tiny".
func newStore(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Symlink(fixtureModel(t), filepath.Join(dir, "tiny.gguf")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// engineContext keeps tests light on a shared machine: one thread never
// busy-waits against another, and a small context allocates little.
var engineContext = bindings.ContextParams{NCtx: 512, Threads: 1}

// testEngine is shared by the tests: the engine is process-wide anyway.
var testEngine = engine.New(engine.Options{Context: engineContext})

// start serves a Server over a real loopback listener.
func start(t testing.TB, opt server.Options) (*server.Server, *httptest.Server) {
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
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return srv, ts
}

type client struct {
	t    testing.TB
	base string
	key  string
}

// do sends a request with a raw body and returns status and body.
func (c client) do(method, path, body string) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// postJSON posts v and decodes the JSON answer into out (when not nil).
func (c client) postJSON(path string, v any, out any) int {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	status, _, body := c.do(http.MethodPost, path, string(b))
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			c.t.Fatalf("%s: decode %q: %v", path, body, err)
		}
	}
	return status
}

type sseEvent struct {
	name, data string
}

// readSSE splits a Server-Sent Events stream into events.
func readSSE(t testing.TB, r io.Reader) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.data != "" || cur.name != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data += strings.TrimPrefix(line, "data: ")
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// slowEngine wraps the real engine and pauses after each generated piece,
// so tests can act while a generation is still running.
type slowEngine struct {
	server.Engine
	delay time.Duration
}

func (e slowEngine) LoadModel(path string) (server.Model, error) {
	m, err := e.Engine.LoadModel(path)
	if err != nil {
		return nil, err
	}
	return slowModel{m, e.delay}, nil
}

type slowModel struct {
	server.Model
	delay time.Duration
}

func (m slowModel) NewContext() (server.Context, error) {
	c, err := m.Model.NewContext()
	if err != nil {
		return nil, err
	}
	return slowContext{c, m.delay}, nil
}

type slowContext struct {
	server.Context
	delay time.Duration
}

func (c slowContext) Generate(ctx context.Context, prompt string, opt llm.GenerateOptions) (*llm.Generation, error) {
	next := opt.OnPiece
	opt.OnPiece = func(text string) error {
		time.Sleep(c.delay)
		if next != nil {
			return next(text)
		}
		return nil
	}
	return c.Context.Generate(ctx, prompt, opt)
}

// metric reads one sample of GET /metrics, -1 when absent.
func (c client) metric(sample string) float64 {
	c.t.Helper()
	_, _, body := c.do(http.MethodGet, "/metrics", "")
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				c.t.Fatalf("metric %s: %v", line, err)
			}
			return f
		}
	}
	return -1
}

// waitMetric polls until sample reaches want (or fails after a while: this
// is a wait for an event, not a timing assertion).
func (c client) waitMetric(sample string, want float64) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.metric(sample) != want {
		if time.Now().After(deadline) {
			c.t.Fatalf("metric %s never reached %g (now %g)", sample, want, c.metric(sample))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
