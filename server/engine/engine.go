// Package engine runs the server's models on codeloom's llama.cpp engine:
// it implements server.Engine over the bindings package.
package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/codeloom/codeloom/bindings"
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
	return &model{m: m, e: e, path: path, cp: e.opt.Context}, nil
}

func (e *Engine) probe(model, adapter string) error {
	if e.opt.NoProbe {
		return nil
	}
	return bindings.ProbeLoad(context.Background(), model, adapter, e.opt.Model)
}

type model struct {
	m    *bindings.Model
	e    *Engine
	path string
	cp   bindings.ContextParams
}

func (m *model) Info() server.ModelInfo {
	i := m.m.Info()
	return server.ModelInfo{Architecture: i.Architecture, Params: i.Params, ContextLength: i.ContextLength,
		FileType: i.FileType, ChatTemplate: i.ChatTemplate != ""}
}

func (m *model) NewContext() (server.Context, error) {
	c, err := m.m.NewContext(m.cp)
	if err != nil {
		return nil, err
	}
	return &ctx{c: c}, nil
}

func (m *model) LoadAdapter(path string) (server.Adapter, error) {
	if err := m.e.probe(m.path, path); err != nil {
		return nil, err
	}
	return bindings.LoadAdapter(m.m, path)
}

func (m *model) ChatPrompt(msgs []server.ChatMessage) (string, error) {
	bm := make([]bindings.ChatMessage, len(msgs))
	for i, msg := range msgs {
		bm[i] = bindings.ChatMessage{Role: msg.Role, Content: msg.Content}
	}
	return m.m.ApplyChatTemplate(bm, true)
}

func (m *model) Close() { m.m.Close() }

type ctx struct{ c *bindings.Context }

func (c *ctx) SetAdapter(a server.Adapter, scale float32) {
	var ba *bindings.Adapter
	if a != nil {
		ba = a.(*bindings.Adapter) // only this package's models make adapters
	}
	c.c.SetAdapter(ba, scale)
}

func (c *ctx) Generate(cx context.Context, prompt string, opt server.GenerateOptions) (server.Generation, error) {
	s := opt.Sampling
	g, err := c.c.Generate(cx, prompt, bindings.GenerateOptions{
		SampleOptions: bindings.SampleOptions{Temperature: s.Temperature, TopK: s.TopK, TopP: s.TopP, MinP: s.MinP,
			RepeatPenalty: s.RepeatPenalty, Seed: s.Seed},
		MaxTokens: opt.MaxTokens, Stop: opt.Stop, OnPiece: opt.OnPiece,
	})
	var out server.Generation
	if g != nil { // on cancellation the partial generation comes with the error
		out = server.Generation{Text: g.Text, FinishReason: g.FinishReason, PromptTokens: g.PromptTokens,
			CompletionTokens: g.CompletionTokens, TTFT: g.Timings.TTFT, PromptTPS: g.Timings.PromptTPS, GenTPS: g.Timings.GenTPS}
	}
	return out, mapError(err)
}

func (c *ctx) Score(cx context.Context, prompt, continuation string) (float64, int, error) {
	s, err := c.c.Score(cx, prompt, continuation)
	return s.LogProb, s.Tokens, mapError(err)
}

func (c *ctx) Size() int { return c.c.Size() }

func (c *ctx) Close() { c.c.Close() }

// mapError lets the server recognise the engine's errors it answers with 4xx.
func mapError(err error) error {
	if errors.Is(err, bindings.ErrPromptTooLong) {
		return fmt.Errorf("%w: %w", server.ErrPromptTooLong, err)
	}
	return err
}
