package server

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/codeloom/codeloom/llm"
)

// loadedModel is a model in memory with its pool of contexts and the
// adapters loaded for it so far.
type loadedModel struct {
	entry *Entry
	model Model
	info  llm.ModelInfo
	free  chan Context // contexts not serving a request
	all   []Context

	mu       sync.Mutex // guards adapters
	adapters map[string]llm.Adapter

	// guarded by pool.mu
	refs     int
	lastUsed time.Time
}

// adapter returns the adapter loaded for this model, loading it on first use.
func (lm *loadedModel) adapter(e *Entry) (llm.Adapter, error) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if a, ok := lm.adapters[e.Name]; ok {
		return a, nil
	}
	a, err := lm.model.LoadAdapter(e.Path)
	if err != nil {
		return nil, fmt.Errorf("load adapter %s on %s: %w", e.Name, lm.entry.Name, err)
	}
	lm.adapters[e.Name] = a
	return a, nil
}

// context waits for a free context of this model.
func (lm *loadedModel) context(ctx context.Context) (Context, error) {
	select {
	case c := <-lm.free:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close frees everything; callers make sure no request holds the model.
func (lm *loadedModel) close() {
	for _, c := range lm.all {
		c.Close()
	}
	for _, a := range lm.adapters {
		a.Close()
	}
	lm.model.Close()
}

// pool keeps at most maxLoaded models in memory, unloading the least
// recently used idle one to make room.
type pool struct {
	engine    Engine
	maxLoaded int
	contexts  int // per model

	mu      sync.Mutex
	models  map[string]*loadedModel
	loading map[string]*loadCall
	closed  bool
}

type loadCall struct {
	done chan struct{}
	err  error
}

func newPool(e Engine, maxLoaded, contexts int) *pool {
	return &pool{engine: e, maxLoaded: maxLoaded, contexts: contexts,
		models: map[string]*loadedModel{}, loading: map[string]*loadCall{}}
}

// acquire returns the loaded model of entry e, loading it if needed, and
// holds it in memory until release.
func (p *pool) acquire(ctx context.Context, e *Entry) (*loadedModel, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, errorf(http.StatusServiceUnavailable, "shutting_down", "the server is shutting down")
		}
		if lm := p.models[e.Name]; lm != nil && lm.entry.Path == e.Path {
			lm.refs++
			lm.lastUsed = time.Now()
			p.mu.Unlock()
			return lm, nil
		}
		if call := p.loading[e.Name]; call != nil {
			p.mu.Unlock()
			select {
			case <-call.done:
				if call.err != nil {
					return nil, call.err
				}
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		victims, err := p.makeRoomLocked(e.Name)
		if err != nil {
			p.mu.Unlock()
			return nil, err
		}
		call := &loadCall{done: make(chan struct{})}
		p.loading[e.Name] = call
		p.mu.Unlock()

		for _, v := range victims {
			v.close()
		}
		lm, err := p.load(e)
		p.mu.Lock()
		delete(p.loading, e.Name)
		call.err = err
		if err == nil {
			p.models[e.Name] = lm
		}
		close(call.done)
		p.mu.Unlock()
		return lm, err // a fresh model starts with refs 1: ours
	}
}

// makeRoomLocked removes idle models (least recently used first) until one
// more fits, including a stale copy of name whose file changed.
func (p *pool) makeRoomLocked(name string) ([]*loadedModel, error) {
	var victims []*loadedModel
	if old := p.models[name]; old != nil {
		if old.refs > 0 {
			return nil, errorf(http.StatusServiceUnavailable, "model_busy", "model %s is being replaced; retry", name).withRetry(1)
		}
		delete(p.models, name)
		victims = append(victims, old)
	}
	for len(p.models)+len(p.loading) >= p.maxLoaded {
		var lru *loadedModel
		for _, lm := range p.models {
			if lm.refs == 0 && (lru == nil || lm.lastUsed.Before(lru.lastUsed)) {
				lru = lm
			}
		}
		if lru == nil {
			for _, v := range victims { // put back what we took: nothing is unloaded
				p.models[v.entry.Name] = v
			}
			return nil, errorf(http.StatusServiceUnavailable, "models_busy",
				"all %d loaded models are busy; retry", p.maxLoaded).withRetry(1)
		}
		delete(p.models, lru.entry.Name)
		victims = append(victims, lru)
	}
	return victims, nil
}

func (p *pool) load(e *Entry) (*loadedModel, error) {
	m, err := p.engine.LoadModel(e.Path)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", e.Name, err)
	}
	lm := &loadedModel{entry: e, model: m, info: m.Info(), free: make(chan Context, p.contexts),
		adapters: map[string]llm.Adapter{}, refs: 1, lastUsed: time.Now()}
	for range p.contexts {
		c, err := m.NewContext()
		if err != nil {
			lm.close()
			return nil, fmt.Errorf("new context for %s: %w", e.Name, err)
		}
		lm.all = append(lm.all, c)
		lm.free <- c
	}
	return lm, nil
}

func (p *pool) release(lm *loadedModel) {
	p.mu.Lock()
	lm.refs--
	lm.lastUsed = time.Now()
	closed := p.closed
	p.mu.Unlock()
	if closed { // the last request of a closing server unloads what it held
		p.unloadIdle(time.Now().Add(time.Hour))
	}
}

// unloadIdle unloads models unused since before the cutoff.
func (p *pool) unloadIdle(cutoff time.Time) {
	p.mu.Lock()
	var victims []*loadedModel
	for name, lm := range p.models {
		if lm.refs == 0 && lm.lastUsed.Before(cutoff) {
			delete(p.models, name)
			victims = append(victims, lm)
		}
	}
	p.mu.Unlock()
	for _, v := range victims {
		v.close()
	}
}

// snapshot returns the loaded models' names and infos, by name.
func (p *pool) snapshot() map[string]llm.ModelInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]llm.ModelInfo, len(p.models))
	for name, lm := range p.models {
		out[name] = lm.info
	}
	return out
}

// close unloads every model once no request holds it; new requests are refused.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.unloadIdle(time.Now().Add(time.Hour))
}
