package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codeloom/codeloom/server"
)

func TestParallelClients(t *testing.T) {
	for _, parallel := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d contexts", parallel), func(t *testing.T) {
			_, ts := start(t, server.Options{Parallel: parallel})
			c := client{t: t, base: ts.URL}
			prompts := []string{"Once upon a time", "The dog", "Lily and Tom", "One day", "The sun was"}
			want := map[string]string{}
			for _, p := range prompts {
				var r generateResponse
				c.postJSON("/generate", map[string]any{"prompt": p, "max_tokens": 20, "temperature": 0}, &r)
				want[p] = r.GeneratedText
			}
			const clients = 16
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p := prompts[i%len(prompts)]
					var r generateResponse
					b, _ := json.Marshal(map[string]any{"prompt": p, "max_tokens": 20, "temperature": 0, "stream": i%2 == 0})
					resp, err := http.Post(ts.URL+"/generate", "application/json", strings.NewReader(string(b)))
					if err != nil {
						errs <- err
						return
					}
					defer resp.Body.Close()
					if i%2 == 0 {
						events := readSSE(t, resp.Body)
						err = json.Unmarshal([]byte(events[len(events)-1].data), &r)
					} else {
						err = json.NewDecoder(resp.Body).Decode(&r)
					}
					if err != nil || resp.StatusCode != 200 || r.GeneratedText != want[p] {
						errs <- fmt.Errorf("client %d: status %d, %q want %q (%v)", i, resp.StatusCode, r.GeneratedText, want[p], err)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// streamStart posts a streaming /generate and returns once the first piece
// arrived; closing the response body disconnects the client.
func streamStart(t *testing.T, base string, maxTokens int) (*http.Response, *bufio.Reader) {
	t.Helper()
	body := fmt.Sprintf(`{"prompt":"Once upon a time","max_tokens":%d,"temperature":0,"stream":true}`, maxTokens)
	resp, err := http.Post(base+"/generate", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); err != nil || line != "event: piece\n" {
		t.Fatalf("first line %q: %v", line, err)
	}
	return resp, r
}

func TestDisconnectCancels(t *testing.T) {
	_, ts := start(t, server.Options{Engine: slowEngine{testEngine, 20 * time.Millisecond}})
	c := client{t: t, base: ts.URL}
	resp, _ := streamStart(t, ts.URL, 400) // 400 pieces would take 8 s
	resp.Body.Close()
	c.waitMetric(`codeloom_generations_total{reason="cancelled"}`, 1)
	c.waitMetric("codeloom_requests_in_flight", 0)
	if out := c.metric(`codeloom_tokens_total{direction="out"}`); out < 1 || out > 20 {
		t.Fatalf("%g tokens generated: the disconnect did not stop the generation promptly", out)
	}
	// The freed context serves the next request.
	var r generateResponse
	if st := c.postJSON("/generate", map[string]any{"prompt": "Hi", "max_tokens": 2}, &r); st != 200 {
		t.Fatalf("status %d", st)
	}
}

func TestQueueFull(t *testing.T) {
	_, ts := start(t, server.Options{Engine: slowEngine{testEngine, 20 * time.Millisecond}, Parallel: 1, Queue: 1})
	c := client{t: t, base: ts.URL}
	first, _ := streamStart(t, ts.URL, 400)
	c.waitMetric("codeloom_requests_in_flight", 1)
	queued := make(chan int)
	go func() {
		st, _, _ := c.do("POST", "/generate", `{"prompt":"Hi","max_tokens":2}`)
		queued <- st
	}()
	c.waitMetric("codeloom_queue_depth", 1)
	st, h, body := c.do("POST", "/generate", `{"prompt":"Hi","max_tokens":2}`)
	if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(string(body), "queue_full") {
		t.Fatalf("third request: %d %q %s", st, h.Get("Retry-After"), body)
	}
	first.Body.Close() // the first client leaves; the queued one gets its turn
	if st := <-queued; st != 200 {
		t.Fatalf("queued request: %d", st)
	}
}

func TestRequestTimeout(t *testing.T) {
	_, ts := start(t, server.Options{Engine: slowEngine{testEngine, 20 * time.Millisecond}, RequestTimeout: 100 * time.Millisecond})
	c := client{t: t, base: ts.URL}
	st, _, body := c.do("POST", "/generate", `{"prompt":"Once upon a time","max_tokens":400,"temperature":0}`)
	if st != http.StatusGatewayTimeout || !strings.Contains(string(body), `"timeout"`) {
		t.Fatalf("%d %s", st, body)
	}
	c.waitMetric("codeloom_requests_in_flight", 0)
}

func TestGracefulShutdown(t *testing.T) {
	srv, err := server.New(server.Options{Engine: slowEngine{testEngine, 10 * time.Millisecond}, ModelsDir: newStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	base := "http://" + ln.Addr().String()

	resp, rest := streamStart(t, base, 40)
	defer resp.Body.Close()
	shutdown := make(chan error)
	go func() { shutdown <- hs.Shutdown(context.Background()) }()
	events := readSSE(t, rest)
	var done generateResponse
	last := events[len(events)-1]
	if err := json.Unmarshal([]byte(last.data), &done); err != nil || last.name != "done" {
		t.Fatalf("in-flight stream cut short: %+v %v", last, err)
	}
	var text strings.Builder
	for _, ev := range events[:len(events)-1] { // every piece, the first one's data line included
		var p struct{ Text string }
		if err := json.Unmarshal([]byte(ev.data), &p); err != nil {
			t.Fatal(err)
		}
		text.WriteString(p.Text)
	}
	if text.String() != done.GeneratedText || done.Usage.CompletionTokens == 0 {
		t.Fatalf("streamed %q, done says %q", text.String(), done.GeneratedText)
	}
	if err := <-shutdown; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/health"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}
