// Package engine runs the server's models on codeloom's llama.cpp engine.
// It is the loader that knows what the server does not: the load and
// context parameters, how threads are split between contexts, and the load
// probe. Everything else passes through unchanged: the server gets the
// bindings package's models and contexts, which speak the llm types the
// server's interfaces are declared over.
//
// The loader is its own package rather than part of bindings because Go
// matches method signatures exactly: NewContext must return server.Context,
// and bindings knows nothing about the server.
package engine

import (
	"context"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/llm"
	"github.com/codeloom/codeloom/server"
)

// Options are the engine settings shared by every model the server loads.
type Options struct {
	Model bindings.ModelParams
	// Context sizes each context; Threads 0 splits bindings.DefaultThreads()
	// evenly between Parallel contexts, since engine threads busy-wait and
	// more threads than cores stall everything.
	Context  bindings.ContextParams
	Parallel int
	// NoProbe skips the load probe: by default the first load of each
	// file version happens in a child process first (bindings.ProbeLoad),
	// so a file that makes the engine abort fails one request instead of
	// taking the server and every other model's streams down.
	NoProbe bool
}

// Engine loads models with the bindings package.
type Engine struct{ opt Options }

// New initialises the engine's backends once and returns the Engine.
func New(opt Options) *Engine {
	bindings.Init()
	if opt.Context.Threads <= 0 {
		opt.Context.Threads = max(1, bindings.DefaultThreads()/max(1, opt.Parallel))
	}
	return &Engine{opt: opt}
}

// LoadModel implements server.Engine.
func (e *Engine) LoadModel(path string) (server.Model, error) {
	if err := e.probe(path, ""); err != nil {
		return nil, err
	}
	m, err := bindings.LoadModel(path, e.opt.Model)
	if err != nil {
		return nil, err
	}
	return &model{Model: m, e: e, path: path}, nil
}

func (e *Engine) probe(model, adapter string) error {
	if e.opt.NoProbe {
		return nil
	}
	return bindings.ProbeLoad(context.Background(), model, adapter, e.opt.Model)
}

// model is a bindings model (Info, ApplyNamedChatTemplate and Close are its own)
// that makes contexts with the engine's settings and probes adapters
// before loading them.
type model struct {
	*bindings.Model
	e    *Engine
	path string
}

func (m *model) NewContext() (server.Context, error) {
	c, err := m.Model.NewContext(m.e.opt.Context)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Embed runs in a context of its own with a context's share of threads.
func (m *model) Embed(ctx context.Context, texts []string) ([][]float32, int, error) {
	return m.Model.Embed(ctx, texts, m.e.opt.Context.Threads)
}

func (m *model) LoadAdapter(path string) (llm.Adapter, error) {
	if err := m.e.probe(m.path, path); err != nil {
		return nil, err
	}
	a, err := bindings.LoadAdapter(m.Model, path)
	if err != nil {
		return nil, err
	}
	return a, nil
}
