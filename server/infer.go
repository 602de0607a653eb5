package server

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync/atomic"

	"github.com/codeloom/codeloom/llm"
)

// admission bounds how many requests may wait for a model or a context;
// past the bound a request is turned away at once with 429.
type admission struct {
	limit    int64
	waiting  atomic.Int64
	inFlight atomic.Int64
}

func (a *admission) enter() error {
	if a.waiting.Add(1) > a.limit {
		a.waiting.Add(-1)
		return errorf(http.StatusTooManyRequests, "queue_full", "queue full (%d waiting); retry later", a.limit).withRetry(1)
	}
	return nil
}

// inference is one request's claim on a model: the resolved entries, the
// loaded model and one of its contexts with the request's adapter applied.
type inference struct {
	s       *Server
	model   *Entry
	adapter *Entry // nil: the base model alone
	lm      *loadedModel
	ctx     Context
}

// resolve finds the entries a request names. model may name a base model or
// an adapter (then its base is used); both empty means the default model.
func (s *Server) resolve(model, adapter string) (*Entry, *Entry, error) {
	cat, err := s.store.catalog()
	if err != nil {
		return nil, nil, s.storeError(err)
	}
	for _, n := range []string{model, adapter} {
		if n != "" && !ValidName(n) {
			return nil, nil, badRequest("invalid name %q: letters, digits, '.', '_' and '-' only", n)
		}
	}
	var a *Entry
	if adapter != "" {
		if a = cat[adapter]; a == nil || a.Kind != KindAdapter {
			return nil, nil, errorf(http.StatusNotFound, "adapter_not_found", "adapter %q not found in the model store", adapter)
		}
	}
	if model == "" {
		switch {
		case a != nil && a.Base != "":
			model = a.Base
		case s.opt.DefaultModel != "":
			model = s.opt.DefaultModel
		default:
			model = firstModel(cat)
		}
		if model == "" {
			return nil, nil, errorf(http.StatusServiceUnavailable, "no_models", "no models in the model store")
		}
	}
	m := cat[model]
	if m == nil {
		return nil, nil, errorf(http.StatusNotFound, "model_not_found", "model %q not found in the model store", model)
	}
	if m.Kind == KindAdapter {
		if a != nil {
			return nil, nil, badRequest("model %q is an adapter; name a base model with adapter %q", model, adapter)
		}
		a = m
		if m = cat[a.Base]; a.Base == "" || m == nil {
			return nil, nil, errorf(http.StatusNotFound, "model_not_found", "adapter %q has no base model in the store; name one with \"model\"", a.Name)
		}
	}
	if a != nil && a.Base != "" && a.Base != m.Name {
		return nil, nil, badRequest("adapter %q belongs to model %q, not %q", a.Name, a.Base, m.Name)
	}
	return m, a, nil
}

func firstModel(cat Catalog) string {
	var names []string
	for n, e := range cat {
		if e.Kind == KindModel {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// begin resolves, admits, loads and claims a context for one request; the
// caller must call end. A shutdown that starts while the request waits
// answers it 503 shutting_down.
func (s *Server) begin(ctx context.Context, model, adapter string, scale float32) (*inference, error) {
	if err := s.gate.admit(ctx); err != nil {
		return nil, err
	}
	m, a, err := s.resolve(model, adapter)
	if err != nil {
		return nil, err
	}
	if err := s.admit.enter(); err != nil {
		return nil, err
	}
	defer s.admit.waiting.Add(-1)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(s.gate.draining, func() { cancel(errShuttingDown) })
	defer stop()
	lm, err := s.pool.acquire(ctx, m)
	if err != nil {
		return nil, s.waitError(ctx, m, err)
	}
	var ad llm.Adapter
	if a != nil {
		if ad, err = lm.adapter(a); err != nil {
			s.pool.release(lm)
			return nil, errorf(http.StatusUnprocessableEntity, "adapter_load_failed", "%s", s.redact(err.Error()))
		}
	}
	c, err := lm.context(ctx)
	if err != nil {
		s.pool.release(lm)
		return nil, s.waitError(ctx, m, err)
	}
	// Every request sets its adapter (or none) on the context it got, so
	// it never runs with the weights of the request before it.
	c.SetAdapter(ad, scale)
	s.admit.inFlight.Add(1)
	return &inference{s: s, model: m, adapter: a, lm: lm, ctx: c}, nil
}

func (in *inference) end() {
	in.s.admit.inFlight.Add(-1)
	in.lm.free <- in.ctx
	in.s.pool.release(in.lm)
}

func (in *inference) adapterName() string {
	if in.adapter == nil {
		return ""
	}
	return in.adapter.Name
}

// generate runs one generation and maps engine failures to API errors.
func (in *inference) generate(ctx context.Context, prompt string, opt llm.GenerateOptions) (*llm.Generation, error) {
	return in.run(ctx, opt, func(opt llm.GenerateOptions) (*llm.Generation, error) { return in.ctx.Generate(ctx, prompt, opt) })
}

// infill fills in the middle between prefix and suffix, like generate.
func (in *inference) infill(ctx context.Context, prefix, suffix string, opt llm.GenerateOptions) (*llm.Generation, error) {
	return in.run(ctx, opt, func(opt llm.GenerateOptions) (*llm.Generation, error) { return in.ctx.Infill(ctx, prefix, suffix, opt) })
}

func (in *inference) run(ctx context.Context, opt llm.GenerateOptions, gen func(llm.GenerateOptions) (*llm.Generation, error)) (*llm.Generation, error) {
	if limit := in.ctx.Size(); opt.MaxTokens > limit {
		return nil, errorf(http.StatusBadRequest, "max_tokens_out_of_range",
			"max_tokens %d exceeds model %s's context of %d tokens", opt.MaxTokens, in.model.Name, limit)
	}
	g, err := gen(opt)
	if g == nil {
		g = &llm.Generation{}
	}
	if err == nil && g.FinishReason == llm.FinishCancelled {
		err = ctx.Err()
	}
	switch {
	case err == nil:
	case ctx.Err() != nil || errors.Is(err, errClientGone):
		g.FinishReason = llm.FinishCancelled
	default:
		g.FinishReason = "error"
	}
	if g.PromptTokens > 0 {
		in.s.metrics.generation(g)
		noteGeneration(ctx, in.model.Name, in.adapterName(), g)
	}
	if errors.Is(err, llm.ErrNoFIM) {
		return g, errorf(http.StatusBadRequest, "fim_unsupported", "model %q has no fill-in-the-middle tokens (tokenizer.ggml.fim_pre_token_id, fim_suf, fim_mid)", in.model.Name)
	}
	err = engineError(ctx, err)
	if ae, ok := err.(*apiError); ok && ae.Code == "engine_error" {
		ae.Message = in.s.redact(ae.Message) // the engine's messages may name files by full path
	}
	return g, err
}

// engineError maps an engine error, given the request context it ran under.
func engineError(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, llm.ErrPromptTooLong):
		return errorf(http.StatusBadRequest, "prompt_too_long", "%v", err)
	case errors.Is(err, llm.ErrInvalidOption):
		return errorf(http.StatusBadRequest, "invalid_request", "%v", err)
	case errors.Is(context.Cause(ctx), errShuttingDown):
		return shuttingDown()
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return errorf(http.StatusGatewayTimeout, "timeout", "request timed out")
	case ctx.Err() != nil, errors.Is(err, errClientGone):
		return errorf(499, "cancelled", "request cancelled")
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return err
	}
	return errorf(http.StatusInternalServerError, "engine_error", "%v", err)
}
