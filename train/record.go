package train

import (
	"encoding/json"
	"math"
	"path/filepath"

	"github.com/codeloom/codeloom/modelstore"
)

// writeSummary writes train.json: the result, the full config, the state
// with every validation, the base model (hash and shape) and the data
// (manifest hash and packing counts).
func (r *runner) writeSummary(res *Result) error {
	info := r.tr.Info()
	// An absolute path, so the model store can find the base whatever
	// folder training ran from.
	base, err := filepath.Abs(r.cfg.Base)
	if err != nil {
		base = r.cfg.Base
	}
	s := &modelstore.Train{
		Base: modelstore.TrainBase{Path: base, SHA256: r.baseHash, Architecture: info.Architecture,
			Type: info.BaseType, Layers: info.Layers, Embedding: info.Embedding, Vocab: info.Vocab},
		Trainable:       info.Trainable,
		UnigramValLoss:  r.unigram,
		Backend:         info.Backend,
		Data:            modelstore.TrainData{Path: r.cfg.Data, ManifestSHA256: r.data.ManifestSHA256, Records: r.data.Records},
		TokensPerSecond: float64(r.st.Tokens) / math.Max(r.st.Seconds, 1e-9),
	}
	for _, f := range []struct {
		dst *json.RawMessage
		v   any
	}{{&s.Result, res}, {&s.Config, r.cfg}, {&s.State, r.st}, {&s.Data.Train, r.data.TrainStats}, {&s.Data.Validation, r.data.ValStats}} {
		if *f.dst, err = modelstore.Raw(f.v); err != nil {
			return err
		}
	}
	return modelstore.WriteTrain(r.cfg.Out, s)
}

func (r *runner) log(v map[string]any) {
	b, err := json.Marshal(v)
	if err == nil {
		_, err = r.metrics.Write(append(b, '\n'))
	}
	if err != nil {
		r.report(Event{Kind: "info", Message: "metrics.jsonl: " + err.Error()})
	}
}

func (r *runner) scalar(tag string, v float64) {
	if err := r.events.Scalar(tag, r.st.Step, v); err != nil {
		r.report(Event{Kind: "info", Message: err.Error()})
	}
}
