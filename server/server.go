package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// Options configure a Server. Zero values take the documented defaults.
type Options struct {
	Engine       Engine // required
	ModelsDir    string // the model store; default "models"
	DefaultModel string // used when a request names no model; default: the first base model by name

	MaxLoaded int           // models kept in memory at once; default 1
	KeepAlive time.Duration // unload a model idle this long; 0 keeps it
	Parallel  int           // contexts (concurrent requests) per model; default 1
	Queue     int           // requests that may wait for a context; default 64

	APIKeys     []string // bearer keys; none: no auth
	CORSOrigins []string // origins allowed by CORS; none: CORS off
	// AllowedHosts are Host names accepted besides this machine's own
	// (localhost, its host name, its addresses) when there is no API key;
	// "*" accepts any. See checkHost.
	AllowedHosts []string

	// Sampling holds the defaults of /generate's sampling fields; nil:
	// greedy (temperature 0) with top_k 40, top_p 0.95, min_p 0.05,
	// repeat_penalty 1.1 and a random seed, as the CLI's generate.
	Sampling *llm.SampleOptions

	RequestTimeout time.Duration // per request; default 5m
	MaxBodyBytes   int64         // default 1 MiB
	MaxTokens      int           // cap on max_tokens; default 4096

	// Timeouts of the http.Server that HTTPServer makes. ReadTimeout
	// bounds reading a whole request, body included (408 after it);
	// IdleTimeout how long a keep-alive connection may wait for its next
	// request.
	ReadHeaderTimeout time.Duration // default 10s
	ReadTimeout       time.Duration // default 1m
	IdleTimeout       time.Duration // default 2m
	MaxHeaderBytes    int           // default 64 KiB; 431 above

	// Syntax scores how well text parses as each language, for /classify
	// without labels; nil leaves only the heuristics.
	Syntax SyntaxScorer
	// Inspect reads a model file's metadata without loading it, for
	// GET /models; nil shows metadata of loaded models only.
	Inspect func(path string) (llm.ModelInfo, error)

	// AccessLog gets one line per request (see accesslog.go), in
	// LogFormat: LogText (default) or LogJSON; nil logs nothing.
	AccessLog io.Writer
	LogFormat string
}

func (o *Options) setDefaults() error {
	if o.Engine == nil {
		return errors.New("server: Options.Engine is required")
	}
	if o.ModelsDir == "" {
		o.ModelsDir = "models"
	}
	for _, d := range []struct {
		v   *int
		def int
	}{{&o.MaxLoaded, 1}, {&o.Parallel, 1}, {&o.Queue, 64}, {&o.MaxTokens, 4096}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 5 * time.Minute
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&o.ReadHeaderTimeout, 10 * time.Second}, {&o.ReadTimeout, time.Minute}, {&o.IdleTimeout, 2 * time.Minute}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 64 << 10
	}
	if o.Sampling == nil {
		o.Sampling = &llm.SampleOptions{TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1, Seed: -1}
	}
	return nil
}

// Server serves models over HTTP. Create it with New, serve Handler, and
// Close it after the HTTP server has shut down.
type Server struct {
	opt     Options
	store   *catalogCache
	pool    *pool
	admit   admission
	gate    *gate
	metrics *metrics
	handler http.Handler

	preloading atomic.Pointer[string] // name of the model being preloaded
	closing    atomic.Bool
	stop       chan struct{}
	done       sync.WaitGroup
}

// New checks the options and builds the routes. It loads nothing: models
// load on first use, or with Preload.
func New(opt Options) (*Server, error) {
	if err := opt.setDefaults(); err != nil {
		return nil, err
	}
	s := &Server{opt: opt, store: newCatalogCache(opt.ModelsDir), pool: newPool(opt.Engine, opt.MaxLoaded, opt.Parallel),
		metrics: newMetrics(), gate: newGate(), stop: make(chan struct{})}
	s.admit.limit = int64(opt.Queue)
	s.handler = s.routes()
	if opt.KeepAlive > 0 {
		s.done.Add(1)
		go s.unloadIdle()
	}
	return s, nil
}

func (s *Server) routes() http.Handler {
	gin.SetMode(gin.ReleaseMode) // gin's own global: no debug banner on stdout
	r := gin.New()
	r.HandleMethodNotAllowed = true // 405 with a JSON body rather than 404
	// Outermost, so that it logs what Recovery and the guards answer too.
	r.Use(s.accessLog())
	r.Use(gin.Recovery(), s.metrics.middleware, limitHeader(s.opt.MaxHeaderBytes))
	if len(s.opt.APIKeys) == 0 {
		r.Use(s.checkHost)
	}
	if len(s.opt.CORSOrigins) > 0 {
		r.Use(checkOrigin(s.opt.CORSOrigins))
		cfg := cors.DefaultConfig()
		cfg.AllowOrigins = s.opt.CORSOrigins
		cfg.AllowHeaders = append(cfg.AllowHeaders, "Authorization")
		r.Use(cors.New(cfg))
	}
	r.GET("/health", s.health)
	web := webHandler()
	r.GET("/", web)
	r.GET("/assets/*file", web)

	api := r.Group("/", newKeyring(s.opt.APIKeys).middleware, s.gate.track, limitBody(s.opt.MaxBodyBytes))
	if len(s.opt.APIKeys) == 0 {
		api.Use(requireJSON) // see guard.go
	}
	api.POST("/generate", s.generate)
	api.POST("/infill", s.infill)
	api.POST("/tokenize", s.tokenize)
	api.POST("/detokenize", s.detokenize)
	api.POST("/classify", s.classify)
	api.GET("/models", s.listModels)
	api.GET("/metrics", s.serveMetrics)
	api.GET("/v1/models", s.openaiModels)
	api.GET("/v1/models/:id", s.openaiModel)
	api.POST("/v1/embeddings", s.openaiEmbeddings)
	api.POST("/v1/completions", s.openaiCompletions)
	api.POST("/v1/chat/completions", s.openaiChat)
	r.NoRoute(func(c *gin.Context) {
		writeError(c, errorf(http.StatusNotFound, "not_found", "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		writeError(c, errorf(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})
	return r
}

// Handler returns the HTTP handler of every route.
func (s *Server) Handler() http.Handler { return s.handler }

// Preload loads a model before traffic arrives; /health answers 503 until
// it is done.
func (s *Server) Preload(ctx context.Context, name string) error {
	s.preloading.Store(&name)
	defer s.preloading.Store(nil)
	m, _, err := s.resolve(name, "")
	if err != nil {
		return fmt.Errorf("preload %s: %w", name, err)
	}
	lm, err := s.pool.acquire(ctx, m)
	if err != nil {
		return fmt.Errorf("preload %s: %w", name, err)
	}
	s.pool.release(lm)
	return nil
}

// Close unloads every model; call it after the HTTP server has shut down
// (in-flight requests finished).
func (s *Server) Close() {
	if s.closing.Swap(true) {
		return
	}
	close(s.stop)
	s.done.Wait()
	s.pool.close()
}

func (s *Server) unloadIdle() {
	defer s.done.Done()
	t := time.NewTicker(max(s.opt.KeepAlive/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.pool.unloadIdle(now.Add(-s.opt.KeepAlive))
		}
	}
}

func (s *Server) health(c *gin.Context) {
	reason := ""
	switch cat, err := s.store.catalog(); {
	case s.closing.Load():
		reason = "shutting down"
	case s.preloading.Load() != nil:
		reason = "loading model " + *s.preloading.Load()
	case err != nil:
		reason = s.storeError(err).Message
	case firstModel(cat) == "":
		reason = "no models in the model store"
	}
	if reason != "" {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "reason": reason})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) serveMetrics(c *gin.Context) {
	c.Header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	c.Status(http.StatusOK)
	s.metrics.write(c.Writer, gauges{
		queueDepth:   int(s.admit.waiting.Load()),
		inFlight:     int(s.admit.inFlight.Load()),
		modelsLoaded: len(s.pool.snapshot()),
	})
}
