package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// errClientGone marks a failed write to the client: it went away, and its
// generation stops.
var errClientGone = errors.New("client gone")

// sse writes Server-Sent Events. Headers go out with the first event, so a
// request that fails before producing anything still gets a JSON error
// with a proper status.
type sse struct {
	c *gin.Context
	// deadline bounds every write, so a client that stops reading cannot
	// hold a context past its request's time limit.
	deadline time.Time
	started  bool
}

func (s *sse) start() {
	if s.started {
		return
	}
	s.started = true
	_ = http.NewResponseController(s.c.Writer).SetWriteDeadline(s.deadline) // unsupported writers just lack the bound
	h := s.c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no") // proxies must not hold pieces back
	s.c.Writer.WriteHeader(http.StatusOK)
}

// send writes one event; name "" writes a bare "data:" event as OpenAI does.
// v is JSON-encoded unless it is a string. The event goes out in one write
// and is flushed at once: pieces must reach the client as they come.
func (s *sse) send(name string, v any) error {
	s.start()
	data, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		data = string(b)
	}
	var ev []byte
	if name != "" {
		ev = fmt.Appendf(ev, "event: %s\n", name)
	}
	ev = fmt.Appendf(ev, "data: %s\n\n", data)
	if _, err := s.c.Writer.Write(ev); err != nil {
		return fmt.Errorf("write event: %w: %w", errClientGone, err)
	}
	if err := http.NewResponseController(s.c.Writer).Flush(); err != nil {
		return fmt.Errorf("flush event: %w: %w", errClientGone, err)
	}
	return nil
}

// fail reports err: as a JSON error when nothing was streamed yet, else
// as a last event carrying the same error object.
func (s *sse) fail(name string, err error) {
	if !s.started {
		writeError(s.c, err)
		return
	}
	ae := asAPIError(err)
	_ = s.send(name, map[string]any{"error": map[string]any{"code": ae.Code, "message": ae.Message, "type": errorType(ae.Status)}})
}
