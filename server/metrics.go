package server

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// latencyBuckets are the upper bounds, in seconds, of the latency histograms.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last one is +Inf
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(latencyBuckets)+1)
	}
	i := sort.SearchFloat64s(latencyBuckets, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

func (h *histogram) write(w io.Writer, name, labels string) {
	var cum uint64
	for i, le := range latencyBuckets {
		if h.counts != nil {
			cum += h.counts[i]
		}
		fmt.Fprintf(w, "%s_bucket{%sle=\"%s\"} %d\n", name, labels, strconv.FormatFloat(le, 'g', -1, 64), cum)
	}
	fmt.Fprintf(w, "%s_bucket{%sle=\"+Inf\"} %d\n", name, labels, h.n)
	braced := ""
	if labels != "" {
		braced = "{" + strings.TrimSuffix(labels, ",") + "}"
	}
	fmt.Fprintf(w, "%s_sum%s %g\n", name, braced, h.sum)
	fmt.Fprintf(w, "%s_count%s %d\n", name, braced, h.n)
}

type routeStatus struct {
	route  string
	status int
}

// metrics counts what GET /metrics reports in Prometheus' text format.
type metrics struct {
	mu        sync.Mutex
	requests  map[routeStatus]uint64
	latency   map[string]*histogram // by route
	ttft      histogram
	tokensIn  uint64
	tokensOut uint64
	finished  map[string]uint64 // generations by finish reason
}

func newMetrics() *metrics {
	return &metrics{requests: map[routeStatus]uint64{}, latency: map[string]*histogram{}, finished: map[string]uint64{}}
}

// middleware records each request's route, status and latency.
func (m *metrics) middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[routeStatus{route, c.Writer.Status()}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{}
		m.latency[route] = h
	}
	h.observe(time.Since(start).Seconds())
}

func (m *metrics) generation(g *llm.Generation) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokensIn += uint64(g.PromptTokens)
	m.tokensOut += uint64(g.CompletionTokens)
	m.finished[g.FinishReason]++
	if g.CompletionTokens > 0 {
		m.ttft.observe(g.Timings.TTFT.Seconds())
	}
}

// gauges are read at scrape time from their owners.
type gauges struct {
	queueDepth, inFlight, modelsLoaded int
}

func (m *metrics) write(w io.Writer, g gauges) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP codeloom_requests_total HTTP requests by route and status.")
	fmt.Fprintln(w, "# TYPE codeloom_requests_total counter")
	keys := make([]routeStatus, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].status < keys[j].status
	})
	for _, k := range keys {
		fmt.Fprintf(w, "codeloom_requests_total{route=%q,status=\"%d\"} %d\n", k.route, k.status, m.requests[k])
	}
	fmt.Fprintln(w, "# HELP codeloom_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE codeloom_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		m.latency[r].write(w, "codeloom_request_duration_seconds", fmt.Sprintf("route=%q,", r))
	}
	fmt.Fprintln(w, "# HELP codeloom_time_to_first_token_seconds Time from request to first generated token.")
	fmt.Fprintln(w, "# TYPE codeloom_time_to_first_token_seconds histogram")
	m.ttft.write(w, "codeloom_time_to_first_token_seconds", "")
	fmt.Fprintln(w, "# HELP codeloom_tokens_total Tokens processed, by direction (prompt in, completion out).")
	fmt.Fprintln(w, "# TYPE codeloom_tokens_total counter")
	fmt.Fprintf(w, "codeloom_tokens_total{direction=\"in\"} %d\n", m.tokensIn)
	fmt.Fprintf(w, "codeloom_tokens_total{direction=\"out\"} %d\n", m.tokensOut)
	fmt.Fprintln(w, "# HELP codeloom_generations_total Finished generations by finish reason.")
	fmt.Fprintln(w, "# TYPE codeloom_generations_total counter")
	reasons := make([]string, 0, len(m.finished))
	for r := range m.finished {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "codeloom_generations_total{reason=%q} %d\n", r, m.finished[r])
	}
	for _, gauge := range []struct {
		name, help string
		v          int
	}{
		{"codeloom_queue_depth", "Requests waiting for a model or a context.", g.queueDepth},
		{"codeloom_requests_in_flight", "Requests holding a context.", g.inFlight},
		{"codeloom_models_loaded", "Models in memory.", g.modelsLoaded},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", gauge.name, gauge.help, gauge.name, gauge.name, gauge.v)
	}
}
