package server

import (
	"github.com/codeloom/codeloom/llm"
	"github.com/codeloom/codeloom/modelstore"
)

// modelDefaults are the defaults.json a request runs with: its adapter's
// when the adapter's folder has one, else its model's; nil when neither
// has (or can be read: the catalog lists the error).
func (in *inference) modelDefaults() *modelstore.Defaults {
	if in.adapter != nil && in.adapter.Defaults != nil {
		return in.adapter.Defaults
	}
	return in.model.Defaults
}

// applyModelDefaults sets each field of opt that the request left out and
// the model's defaults.json sets, over the route's default: a model's own
// settings, as ollama's Modelfile parameters are. A max_tokens above the
// server's cap is lowered to it, as the model's file cannot raise the cap.
func (r *samplingRequest) applyModelDefaults(in *inference, opt *llm.GenerateOptions) {
	d := in.modelDefaults()
	if d == nil {
		return
	}
	setF := func(dst *float32, req, def *float32) {
		if req == nil && def != nil {
			*dst = *def
		}
	}
	setF(&opt.Temperature, r.Temperature, d.Temperature)
	setF(&opt.TopP, r.TopP, d.TopP)
	setF(&opt.MinP, r.MinP, d.MinP)
	setF(&opt.RepeatPenalty, r.RepeatPenalty, d.RepeatPenalty)
	if r.TopK == nil && d.TopK != nil {
		opt.TopK = *d.TopK
	}
	if d.RepeatLastN != nil { // no request field sets it
		opt.RepeatLastN = *d.RepeatLastN
	}
	if r.Seed == nil && d.Seed != nil {
		opt.Seed = *d.Seed
	}
	if r.MaxTokens == nil && d.MaxTokens != nil {
		opt.MaxTokens = min(*d.MaxTokens, in.s.opt.MaxTokens)
	}
	if len(r.Stop) == 0 && len(d.Stop) > 0 {
		opt.Stop = d.Stop
	}
}
