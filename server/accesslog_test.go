package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codeloom/codeloom/server"
)

// logBuffer is written by the server's handlers and read by the test.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines waits for n lines: a line is written once the handler returns,
// which may be just after the client has read the response.
func (l *logBuffer) lines(t *testing.T, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		l.mu.Lock()
		s := l.b.String()
		l.mu.Unlock()
		if lines := strings.Split(strings.TrimSpace(s), "\n"); s != "" && len(lines) >= n || time.Now().After(deadline) {
			if len(lines) != n {
				t.Fatalf("%d log lines, want %d:\n%s", len(lines), n, s)
			}
			return lines
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAccessLog(t *testing.T) {
	const key, prompt = "sekrit-key-1", "Once upon a secret prompt"
	for _, format := range []string{server.LogJSON, server.LogText} {
		t.Run(format, func(t *testing.T) {
			var log logBuffer
			_, ts := start(t, server.Options{APIKeys: []string{key}, AccessLog: &log, LogFormat: format})
			c := client{t: t, base: ts.URL, key: key}
			if st := c.postJSON("/generate?k="+key, map[string]any{"prompt": prompt, "max_tokens": 3, "model": "tiny"}, nil); st != http.StatusOK {
				t.Fatalf("generate: %d", st)
			}
			if st, _, _ := c.do(http.MethodGet, "/nowhere", ""); st != http.StatusNotFound {
				t.Fatalf("GET /nowhere: %d", st)
			}
			if st, _, _ := (client{t: t, base: ts.URL}).do(http.MethodGet, "/models", ""); st != http.StatusUnauthorized {
				t.Fatalf("GET /models without a key: %d", st)
			}
			lines := log.lines(t, 3)
			for _, l := range lines {
				if strings.Contains(l, key) || strings.Contains(l, "secret") {
					t.Errorf("log line shows the key or the prompt: %s", l)
				}
			}
			if format == server.LogText {
				for i, want := range []string{`| 200 |`, `| 404 |`, `| 401 |`} {
					if !strings.Contains(lines[i], want) {
						t.Errorf("line %q lacks %q", lines[i], want)
					}
				}
				if !strings.Contains(lines[0], `POST    "/generate" model=tiny tokens=`) {
					t.Errorf("line %q lacks the route, model and tokens", lines[0])
				}
				return
			}
			var e struct {
				Method, Path, Model string
				Status              int
				Prompt              int   `json:"prompt_tokens"`
				Completion          int   `json:"completion_tokens"`
				DurationNS          int64 `json:"duration_ns"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
				t.Fatal(err)
			}
			if e.Method != "POST" || e.Path != "/generate" || e.Status != 200 || e.Model != "tiny" ||
				e.Prompt == 0 || e.Completion == 0 || e.Completion > 3 || e.DurationNS <= 0 {
				t.Errorf("entry %+v from %s", e, lines[0])
			}
		})
	}
}
