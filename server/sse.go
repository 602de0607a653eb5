package server

import (
	"bytes"
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
	c  *gin.Context
	rc *http.ResponseController
	// deadline is the request's; every write must be done finalWriteGrace
	// after it, so a client that stops reading cannot hold a context long
	// past its request's time limit, and yet a stream cut by that limit
	// still has time to send its error event.
	deadline time.Time
	// end is the last event after an error, "[DONE]" on OpenAI's routes;
	// "" sends none.
	end     string
	started bool
	buf     []byte    // the event being written, reused: a piece allocates almost nothing
	flushed time.Time // when events last went out
}

// pieceFlushGap is how recent a flush lets a piece wait in the buffer for
// the next event instead of going out on its own. Each flush is a system
// call that also wakes the client, about 15 µs on a busy two-core machine,
// more than a tenth of a token's time on the smallest models. A model
// slower than one token per gap still sends every piece on its own; a
// faster one's pieces go out in bursts: a held piece leaves with the next
// event, one token later (a few behind a possible stop string).
const pieceFlushGap = 2 * time.Millisecond

// finalWriteGrace is how long after the request's deadline, or after an
// error, the last events of a stream may take to go out.
const finalWriteGrace = 5 * time.Second

func (s *sse) start() {
	if s.started {
		return
	}
	s.started = true
	s.rc = http.NewResponseController(s.c.Writer)
	if !s.deadline.IsZero() {
		_ = s.rc.SetWriteDeadline(s.deadline.Add(finalWriteGrace)) // unsupported writers just lack the bound
	}
	h := s.c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no") // proxies must not hold pieces back
	s.c.Writer.WriteHeader(http.StatusOK)
}

// send writes one event whose data is v JSON-encoded, or v itself when it
// is a string, and flushes it; name "" writes a bare "data:" event as
// OpenAI does.
func (s *sse) send(name string, v any) error {
	var data []byte
	if str, ok := v.(string); ok {
		data = []byte(str)
	} else {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		data = b
	}
	if err := s.write(name, data); err != nil {
		return err
	}
	return s.flush()
}

// piece writes one event whose data is t with text in its hole. Pieces
// come once per token, so they skip send's reflection over a whole object,
// and one that follows a flush closely waits for the next event (see
// pieceFlushGap).
func (s *sse) piece(name string, t *template, text string) error {
	quoted, err := json.Marshal(text)
	if err != nil {
		return fmt.Errorf("encode piece: %w", err)
	}
	if err := s.write(name, t.before, quoted, t.after); err != nil {
		return err
	}
	if time.Since(s.flushed) < pieceFlushGap {
		return nil
	}
	return s.flush()
}

// write buffers one event made of the data parts.
func (s *sse) write(name string, data ...[]byte) error {
	s.start()
	b := s.buf[:0]
	if name != "" {
		b = append(append(append(b, "event: "...), name...), '\n')
	}
	b = append(b, "data: "...)
	for _, d := range data {
		b = append(b, d...)
	}
	s.buf = append(b, "\n\n"...)
	if _, err := s.c.Writer.Write(s.buf); err != nil {
		return fmt.Errorf("write event: %w: %w", errClientGone, err)
	}
	return nil
}

// flush sends the buffered events to the client in one write.
func (s *sse) flush() error {
	s.flushed = time.Now()
	if err := s.rc.Flush(); err != nil {
		return fmt.Errorf("flush event: %w: %w", errClientGone, err)
	}
	return nil
}

// fail reports err: as a JSON error when nothing was streamed yet, else
// as a last event carrying the same error object, followed by s.end. The
// write deadline moves past now first: the error is often the request's
// deadline itself, which would fail the write it has to make.
func (s *sse) fail(name string, err error) {
	if !s.started {
		writeError(s.c, err)
		return
	}
	_ = s.rc.SetWriteDeadline(time.Now().Add(finalWriteGrace))
	ae := asAPIError(err)
	if s.send(name, map[string]any{"error": map[string]any{"code": ae.Code, "message": ae.Message, "type": errorType(ae.Status)}}) == nil && s.end != "" {
		_ = s.send("", s.end)
	}
}

// template is the JSON of a streamed object around its text, encoded
// once: every piece of a stream has the same shape and differs only in
// the text.
type template struct{ before, after []byte }

// hole stands for the text when a template is made; encoding/json writes
// it as "\u0000", which no other part of an event contains.
const hole = "\x00"

// newTemplate encodes v, an object whose only text is hole.
func newTemplate(v any) (*template, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode event template: %w", err)
	}
	before, after, ok := bytes.Cut(b, []byte(`"\u0000"`))
	if !ok || bytes.Contains(after, []byte(`"\u0000"`)) {
		return nil, fmt.Errorf("event template %s: want exactly one hole", b)
	}
	return &template{before, after}, nil
}
