package train

import (
	"encoding/json"
	"math"
	"path/filepath"

	"github.com/codeloom/codeloom/internal/atomicfile"
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
	s := map[string]any{
		"result": res,
		"config": r.cfg,
		"state":  r.st,
		"base": map[string]any{"path": base, "sha256": r.baseHash, "architecture": info.Architecture,
			"type": info.BaseType, "layers": info.Layers, "embedding": info.Embedding, "vocab": info.Vocab},
		"trainable":        info.Trainable,
		"unigram_val_loss": r.unigram,
		"backend":          info.Backend,
		"data": map[string]any{"path": r.cfg.Data, "manifest_sha256": r.data.ManifestSHA256, "records": r.data.Records,
			"train": r.data.TrainStats, "validation": r.data.ValStats},
		"tokens_per_second": float64(r.st.Tokens) / math.Max(r.st.Seconds, 1e-9),
	}
	return atomicfile.WriteJSON(filepath.Join(r.cfg.Out, SummaryFile), s)
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
