package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// Access log formats (Options.LogFormat).
const (
	LogText = "text"
	LogJSON = "json"
)

// accessEntry is one line of the access log. It holds no prompt, query
// string or header: those may carry code or keys.
type accessEntry struct {
	Time             time.Time     `json:"time"`
	Method           string        `json:"method"`
	Path             string        `json:"path"`
	Status           int           `json:"status"`
	Duration         time.Duration `json:"duration_ns"`
	Client           string        `json:"client"`
	Model            string        `json:"model,omitempty"`
	Adapter          string        `json:"adapter,omitempty"`
	PromptTokens     int           `json:"prompt_tokens,omitempty"`
	CompletionTokens int           `json:"completion_tokens,omitempty"`
}

// accessNote collects what the handlers learn about a request (its model
// and tokens) for the log line written when it ends.
type accessNote struct {
	mu                  sync.Mutex
	model, adapter      string
	promptTok, complTok int
}

type accessKey struct{}

// noteGeneration records a finished generation in the access log entry of
// the request that ctx belongs to, if one is logged.
func noteGeneration(ctx context.Context, model, adapter string, g *llm.Generation) {
	n, ok := ctx.Value(accessKey{}).(*accessNote)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.model, n.adapter = model, adapter
	n.promptTok += g.PromptTokens
	n.complTok += g.CompletionTokens
}

// accessLog writes one line per request to the Options' AccessLog, like
// gin's and llama-server's request logs; none when AccessLog is nil.
func (s *Server) accessLog() gin.HandlerFunc {
	w, format := s.opt.AccessLog, s.opt.LogFormat
	if w == nil {
		return func(c *gin.Context) { c.Next() }
	}
	var mu sync.Mutex // one line at a time
	return func(c *gin.Context) {
		start := time.Now()
		n := &accessNote{}
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), accessKey{}, n))
		c.Next()
		n.mu.Lock()
		e := accessEntry{Time: start, Method: c.Request.Method, Path: c.Request.URL.Path, Status: c.Writer.Status(),
			Duration: time.Since(start), Client: c.ClientIP(), Model: n.model, Adapter: n.adapter,
			PromptTokens: n.promptTok, CompletionTokens: n.complTok}
		n.mu.Unlock()
		mu.Lock()
		defer mu.Unlock()
		writeAccess(w, format, e)
	}
}

func writeAccess(w io.Writer, format string, e accessEntry) {
	if format == LogJSON {
		b, _ := json.Marshal(e) // a struct of strings and numbers always encodes
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	line := fmt.Sprintf("%s | %3d | %12s | %15s | %-7s %q", e.Time.Format("2006/01/02 15:04:05"), e.Status,
		e.Duration.Round(time.Microsecond), e.Client, e.Method, e.Path)
	if e.Model != "" {
		line += " model=" + e.Model
	}
	if e.Adapter != "" {
		line += " adapter=" + e.Adapter
	}
	if e.PromptTokens+e.CompletionTokens > 0 {
		line += fmt.Sprintf(" tokens=%d+%d", e.PromptTokens, e.CompletionTokens)
	}
	fmt.Fprintln(w, line)
}
