package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/server"
	"github.com/codeloom/codeloom/server/engine"
	"github.com/codeloom/codeloom/server/treesitter"
)

func serveCommand() *ucli.Command {
	flags := []ucli.Flag{
		&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:8000", Usage: "listen address HOST:PORT", EnvVars: []string{"CODELOOM_ADDR"}},
		&ucli.StringFlag{Name: "host", Usage: "listen on this host, with --addr's port (llama-server's spelling)"},
		&ucli.IntFlag{Name: "port", Usage: "listen on this port, with --addr's host (llama-server's spelling)", DefaultText: "--addr's port"},
		&ucli.StringFlag{Name: "log-format", Value: server.LogText, Usage: "request log on standard error: text or json"},
		&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no request log"},
		&ucli.StringFlag{Name: "models", Value: "models", Usage: "model store: every base model and adapter in it is served", EnvVars: []string{"CODELOOM_MODELS"}},
		&ucli.StringFlag{Name: "default-model", Usage: "model for requests that name none", DefaultText: "the first base model by name"},
		&ucli.StringFlag{Name: "preload", Usage: "load this model before serving; /health answers 503 until it is loaded"},
		&ucli.IntFlag{Name: "max-loaded", Value: 1, Usage: "models kept in memory at once; the least recently used idle one is unloaded"},
		&ucli.DurationFlag{Name: "keep-alive", Value: 5 * time.Minute, Usage: "unload a model idle this long (0 = never)"},
		&ucli.IntFlag{Name: "parallel", Value: 1, Usage: "requests served at once per model, one context each (threads are split between them)"},
		&ucli.IntFlag{Name: "queue", Value: 64, Usage: "requests that may wait for a context; more get 429 with Retry-After"},
		&ucli.StringSliceFlag{Name: "api-key", Usage: "accept this bearer key (repeatable; CODELOOM_API_KEYS takes a comma-separated list); none: no auth", EnvVars: []string{"CODELOOM_API_KEYS"}},
		&ucli.StringSliceFlag{Name: "cors-origin", Usage: "allow browser requests from this origin (repeatable); none: CORS off"},
		&ucli.StringSliceFlag{Name: "allowed-host", Usage: "without --api-key, also accept requests whose Host is this name (repeatable; * = any); default: this machine's names and addresses only"},
		&ucli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "per-request time limit"},
		&ucli.IntFlag{Name: "max-tokens", Value: 4096, Usage: "largest max_tokens a request may ask for"},
		&ucli.Int64Flag{Name: "max-body", Value: 1 << 20, Usage: "largest request body in bytes"},
		&ucli.DurationFlag{Name: "read-timeout", Value: time.Minute, Usage: "time to read a whole request, body included (408 after it)"},
		&ucli.DurationFlag{Name: "idle-timeout", Value: 2 * time.Minute, Usage: "close a keep-alive connection idle this long"},
		&ucli.DurationFlag{Name: "shutdown-timeout", Value: 30 * time.Second, Usage: "on Ctrl-C or SIGTERM, wait this long for in-flight requests"},
	}
	flags = append(flags, sampleFlags()...)
	flags = append(flags, modelFlags()...)
	return &ucli.Command{
		Name:  "serve",
		Usage: "serve the model store over HTTP: REST and OpenAI-compatible API, streaming, metrics and a web page",
		Description: "The sampling flags set the defaults of POST /generate; --threads is per context " +
			"(default: the CPUs split between --parallel contexts).",
		Flags:  flags,
		Action: runServe,
	}
}

func serveOptions(c *ucli.Context) (server.Options, error) {
	for _, f := range []string{"max-loaded", "parallel", "queue", "max-tokens"} {
		if c.Int(f) < 1 {
			return server.Options{}, usageError("--%s %d: want 1 or more", f, c.Int(f))
		}
	}
	if c.Int64("max-body") < 1 || c.Duration("timeout") <= 0 || c.Duration("keep-alive") < 0 ||
		c.Duration("read-timeout") <= 0 || c.Duration("idle-timeout") <= 0 {
		return server.Options{}, usageError("--max-body, --timeout, --read-timeout and --idle-timeout must be positive, --keep-alive not negative")
	}
	mp, err := modelParams(c)
	if err != nil {
		return server.Options{}, err
	}
	cp, err := contextParams(c)
	if err != nil {
		return server.Options{}, err
	}
	so, err := sampleOptions(c)
	if err != nil {
		return server.Options{}, err
	}
	if f := c.String("log-format"); f != server.LogText && f != server.LogJSON {
		return server.Options{}, usageError("--log-format %q: want text or json", f)
	}
	var accessLog io.Writer
	if !c.Bool("quiet") {
		accessLog = c.App.ErrWriter
	}
	return server.Options{
		Engine:       engine.New(engine.Options{Model: mp, Context: cp, Parallel: c.Int("parallel")}),
		ModelsDir:    c.String("models"),
		DefaultModel: c.String("default-model"),
		MaxLoaded:    c.Int("max-loaded"), KeepAlive: c.Duration("keep-alive"),
		Parallel: c.Int("parallel"), Queue: c.Int("queue"),
		APIKeys: c.StringSlice("api-key"), CORSOrigins: c.StringSlice("cors-origin"), AllowedHosts: c.StringSlice("allowed-host"),
		ReadTimeout: c.Duration("read-timeout"), IdleTimeout: c.Duration("idle-timeout"),
		Sampling:       &so,
		RequestTimeout: c.Duration("timeout"), MaxBodyBytes: c.Int64("max-body"), MaxTokens: c.Int("max-tokens"),
		Syntax: treesitter.Scorer{}, Inspect: engine.Inspect,
		AccessLog: accessLog, LogFormat: c.String("log-format"),
	}, nil
}

func runServe(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usageError("serve takes no arguments (models come from --models)")
	}
	addr, err := listenAddr(c)
	if err != nil {
		return err
	}
	opt, err := serveOptions(c)
	if err != nil {
		return err
	}
	srv, err := server.New(opt)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(c.App.ErrWriter, "codeloom: serving %s on http://%s\n", opt.ModelsDir, ln.Addr())
	so := server.ServeOptions{ShutdownTimeout: c.Duration("shutdown-timeout"), Stopping: func() {
		fmt.Fprintln(c.App.ErrWriter, "codeloom: shutting down; finishing in-flight requests")
	}}
	if name := c.String("preload"); name != "" {
		so.Started = func(ctx context.Context) error { return srv.Preload(ctx, name) }
	}
	if err := srv.Serve(c.Context, ln, so); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// listenAddr is --addr with --host or --port (llama-server's flags) put in
// place of its parts. Both --addr and one of those given disagree unless
// they name the same address.
func listenAddr(c *ucli.Context) (string, error) {
	host, port, err := net.SplitHostPort(c.String("addr"))
	if err != nil {
		return "", usageError("--addr %q: want HOST:PORT", c.String("addr"))
	}
	given := false
	if c.IsSet("host") {
		host, given = c.String("host"), true
	}
	if c.IsSet("port") {
		if p := c.Int("port"); p < 0 || p > 65535 {
			return "", usageError("--port %d: want 0 to 65535", p)
		}
		port, given = strconv.Itoa(c.Int("port")), true
	}
	addr := net.JoinHostPort(host, port)
	if given && c.IsSet("addr") && addr != c.String("addr") {
		return "", usageError("--addr %s conflicts with --host/--port (%s): give one or the other", c.String("addr"), addr)
	}
	return addr, nil
}
