package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// HTTPServer returns an http.Server for Handler with the timeouts and the
// header limit of the Options. Serve it, and stop it with Shutdown.
//
// net/http itself answers requests whose header is over four times
// Options.MaxHeaderBytes, with a plain-text 431 that no handler sees;
// between the two limits the answer is a JSON 431 (see limitHeader).
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.opt.ReadHeaderTimeout,
		ReadTimeout:       s.opt.ReadTimeout,
		IdleTimeout:       s.opt.IdleTimeout,
		MaxHeaderBytes:    4 * s.opt.MaxHeaderBytes,
	}
}

// haltMargin is how long before a shutdown's deadline in-flight
// generations are stopped, so that their streams can still end with an
// error event and their connections close before the deadline.
const haltMargin = 2 * time.Second

// Shutdown stops hs, which serves this Server's Handler, within ctx:
//
//   - requests not yet holding a model context (queued, or still sending
//     their body) are answered 503 shutting_down at once;
//   - in-flight generations run on until shortly before ctx's deadline
//     (haltMargin, or a quarter of the time left if that is less), then
//     stop, and their streams end with a shutting_down error;
//   - what is still open at the deadline is closed.
//
// A shutdown that had to close connections at the deadline still returns
// nil: every request got its answer or its error event by then, and only
// stragglers (a client still sending headers) are cut. Call Close after.
func (s *Server) Shutdown(ctx context.Context, hs *http.Server) error {
	s.gate.startDrain()
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		t := time.AfterFunc(left-min(haltMargin, left/4), func() { s.gate.halt(errShuttingDown) })
		defer t.Stop()
	}
	err := hs.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		s.gate.halt(errShuttingDown)
		_ = hs.Close() // the listeners are closed already; only connections are left
		return nil
	}
	return err
}

// gate lets requests in until a shutdown begins, and tracks those not yet
// admitted to a model so that the shutdown can turn them away.
type gate struct {
	draining context.Context // done once a shutdown begins
	drain    context.CancelCauseFunc
	halting  context.Context // done when in-flight generations must stop
	halt     context.CancelCauseFunc

	mu      sync.Mutex
	closed  bool
	pending map[*pending]struct{}
}

// pending is a request that has not been admitted to a model yet: it may
// still be sending its body.
type pending struct {
	g  *gate
	rc *http.ResponseController
}

type pendingKey struct{}

func newGate() *gate {
	g := &gate{pending: map[*pending]struct{}{}}
	g.draining, g.drain = context.WithCancelCause(context.Background())
	g.halting, g.halt = context.WithCancelCause(context.Background())
	return g
}

// track is the middleware that registers a request until it is admitted
// or answered; during a shutdown it answers 503 at once.
func (g *gate) track(c *gin.Context) {
	p := &pending{g: g, rc: http.NewResponseController(c.Writer)}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		writeError(c, shuttingDown())
		return
	}
	g.pending[p] = struct{}{}
	g.mu.Unlock()
	defer g.forget(p)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), pendingKey{}, p))
	c.Next()
}

func (g *gate) forget(p *pending) {
	g.mu.Lock()
	delete(g.pending, p)
	g.mu.Unlock()
}

// admit lets the request of ctx wait for a model, unless a shutdown began.
// From here on a shutdown no longer interrupts its connection's reads.
func (g *gate) admit(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return shuttingDown()
	}
	if p, ok := ctx.Value(pendingKey{}).(*pending); ok {
		delete(g.pending, p)
	}
	return nil
}

// startDrain refuses new requests and ends the reads of pending ones: a
// client trickling its body would otherwise hold the shutdown until its
// read timeout, for a request that will be refused anyway.
func (g *gate) startDrain() {
	g.mu.Lock()
	g.closed = true
	for p := range g.pending {
		_ = p.rc.SetReadDeadline(time.Now()) // a writer without deadlines keeps its read timeout
	}
	g.mu.Unlock()
	g.drain(errShuttingDown)
}

// shuttingDownFor reports whether the request of ctx was interrupted by a
// shutdown.
func shuttingDownFor(ctx context.Context) bool {
	p, ok := ctx.Value(pendingKey{}).(*pending)
	if !ok {
		return false
	}
	p.g.mu.Lock()
	defer p.g.mu.Unlock()
	return p.g.closed
}

// requestContext is the context of one generating request: it ends at the
// request timeout, when the client goes away, or when a shutdown halts
// in-flight generations (cause errShuttingDown).
func (s *Server) requestContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancelTimeout := context.WithTimeout(parent, s.opt.RequestTimeout)
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(s.gate.halting, func() { cancel(context.Cause(s.gate.halting)) })
	return ctx, func() {
		stop()
		cancel(nil)
		cancelTimeout()
	}
}

// ServeOptions are the moments of Serve a caller takes part in.
type ServeOptions struct {
	// ShutdownTimeout bounds the graceful shutdown once ctx ends.
	ShutdownTimeout time.Duration
	// Started, when set, runs once ln accepts connections (to preload a
	// model while /health answers 503); its error stops the server and is
	// returned.
	Started func(context.Context) error
	// Stopping, when set, runs when ctx has ended, before the shutdown.
	Stopping func()
}

// Serve answers on ln with HTTPServer until ctx ends, then shuts down as
// Shutdown does within opt.ShutdownTimeout: what `codeloom serve` and the
// pipeline's serve step both do.
func (s *Server) Serve(ctx context.Context, ln net.Listener, opt ServeOptions) error {
	hs := s.HTTPServer()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if opt.Started != nil {
		if err := opt.Started(ctx); err != nil {
			hs.Close()
			return err
		}
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	if opt.Stopping != nil {
		opt.Stopping()
	}
	sctx, cancel := context.WithTimeout(context.Background(), opt.ShutdownTimeout)
	defer cancel()
	if err := s.Shutdown(sctx, hs); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
