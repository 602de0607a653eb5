package pipeline

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/server"
	"github.com/codeloom/codeloom/server/engine"
	"github.com/codeloom/codeloom/server/treesitter"
)

// Settings of the server that `codeloom serve` takes from flags whose
// defaults differ from the server's own.
const (
	serveKeepAlive       = 5 * time.Minute
	serveShutdownTimeout = 30 * time.Second
)

// serve serves the model store with `codeloom serve`'s defaults and the
// environment it reads: CODELOOM_API_KEYS (bearer keys, comma-separated)
// and CODELOOM_GPU_LAYERS. On cancellation it finishes in-flight requests
// first.
func (c calls) serve(ctx context.Context, models, addr string, threads int) error {
	gpuLayers := bindings.AutoGPULayers
	if v := os.Getenv("CODELOOM_GPU_LAYERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < -1 && n != bindings.AutoGPULayers {
			return fmt.Errorf("CODELOOM_GPU_LAYERS %q: want -1 (all) or more", v)
		}
		gpuLayers = n
	}
	srv, err := server.New(server.Options{
		Engine: engine.New(engine.Options{Model: bindings.ModelParams{GPULayers: gpuLayers},
			Context: bindings.ContextParams{Threads: threads}, Parallel: 1}),
		ModelsDir: models, KeepAlive: serveKeepAlive, APIKeys: envList("CODELOOM_API_KEYS"),
		Syntax: treesitter.Scorer{}, Inspect: engine.Inspect,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return srv.Serve(ctx, ln, server.ServeOptions{ShutdownTimeout: serveShutdownTimeout, Stopping: func() {
		fmt.Fprintln(c.opt.Log, "shutting down; finishing in-flight requests")
	}})
}

// envList splits a comma-separated environment variable, as a repeatable
// flag's EnvVars are read.
func envList(name string) []string {
	var out []string
	for _, s := range strings.Split(os.Getenv(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
