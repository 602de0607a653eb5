package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codeloom/codeloom/llm"
	"github.com/codeloom/codeloom/server"
)

// benchTokens is the length of each benchmark generation: a short code
// completion.
const benchTokens = 64

// benchRequest is plain greedy decoding, sampler stages off, as the
// direct calls use.
var benchRequest = fmt.Sprintf(`{"prompt":"Once upon a time","max_tokens":%d,"temperature":0,"top_k":0,"top_p":1,"min_p":0,"repeat_penalty":1}`, benchTokens)

// BenchmarkHTTPOverhead measures the HTTP layer's cost at one client: each
// iteration runs the same greedy generation once through the engine called
// from Go and once over HTTP on a loopback port (POST /generate plain or
// streamed, or streamed from POST /v1/completions), back to back in
// alternating order, so a machine whose load drifts affects both alike.
// It reports the median of each and the overhead of HTTP in percent.
func BenchmarkHTTPOverhead(b *testing.B) {
	streamed := strings.Replace(benchRequest, "{", `{"stream":true,`, 1)
	for _, route := range []struct{ name, path, body string }{
		{"stream=false", "/generate", benchRequest},
		{"stream=true", "/generate", streamed},
		{"openai-stream", "/v1/completions", streamed},
	} {
		b.Run(route.name, func(b *testing.B) {
			m, err := testEngine.LoadModel(fixtureModel(b))
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			c, err := m.NewContext()
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			opt := llm.GenerateOptions{MaxTokens: benchTokens, SampleOptions: llm.SampleOptions{Seed: -1}}
			_, ts := start(b, server.Options{})
			post(b, ts.URL+route.path, route.body) // load the model outside the timing
			var direct, viaHTTP []time.Duration
			runDirect := func() {
				t0 := time.Now()
				if _, err := c.Generate(context.Background(), "Once upon a time", opt); err != nil {
					b.Fatal(err)
				}
				direct = append(direct, time.Since(t0))
			}
			runHTTP := func() {
				t0 := time.Now()
				post(b, ts.URL+route.path, route.body)
				viaHTTP = append(viaHTTP, time.Since(t0))
			}
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 { // alternate which goes first, so neither gains from the order
					runDirect()
					runHTTP()
				} else {
					runHTTP()
					runDirect()
				}
			}
			d, h := median(direct), median(viaHTTP)
			b.ReportMetric(ms(d), "direct-ms")
			b.ReportMetric(ms(h), "http-ms")
			b.ReportMetric(100*(h.Seconds()-d.Seconds())/d.Seconds(), "overhead-%")
		})
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkConcurrentClients runs clients that each send requests back to
// back, against one model with one or two contexts, and reports requests
// per second and latency percentiles.
func BenchmarkConcurrentClients(b *testing.B) {
	for _, contexts := range []int{1, 2} {
		for _, clients := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("contexts=%d/clients=%d", contexts, clients), func(b *testing.B) {
				_, ts := start(b, server.Options{Parallel: contexts})
				post(b, ts.URL+"/generate", benchRequest)
				work := make(chan struct{})
				lat := make([]time.Duration, 0, b.N)
				var mu sync.Mutex
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range work {
							t0 := time.Now()
							post(b, ts.URL+"/generate", benchRequest)
							mu.Lock()
							lat = append(lat, time.Since(t0))
							mu.Unlock()
						}
					}()
				}
				for range b.N {
					work <- struct{}{}
				}
				close(work)
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				slices.Sort(lat)
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
				b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
				b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
			})
		}
	}
}

func post(b *testing.B, url, body string) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("status %d", resp.StatusCode)
	}
}
