package train

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/modelstore"
)

// A model made from scratch loads in llama.cpp, tokenizes code back to the
// same text, and full training lowers its validation loss.
func TestInitModelThenFullTraining(t *testing.T) {
	recs := goRecords(60, "r")
	data := writeDataset(t, recs)
	out := filepath.Join(t.TempDir(), "model.gguf")
	res, err := InitModel(context.Background(), InitConfig{Data: data, Out: out, Name: "tiny-go", Vocab: 320,
		Layers: 2, Dim: 64, Heads: 4, Ctx: 128, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 48 || res.Vocab > 320 || res.Parameters < 50000 {
		t.Fatalf("result %+v", res)
	}
	m, err := bindings.LoadModel(out, bindings.ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	toks, err := m.Tokenize(recs[0].Code, false)
	if err != nil {
		t.Fatal(err)
	}
	back := m.Detokenize(toks)
	m.Close()
	if back != recs[0].Code || len(toks) >= len(recs[0].Code) {
		t.Fatalf("%d tokens for %d bytes, round trip %q", len(toks), len(recs[0].Code), back)
	}

	cfg := quickConfig(t, out, data)
	cfg.Full, cfg.MaxSteps, cfg.EvalEvery, cfg.Schedule.LR = true, 30, 30, 3e-3
	run, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := readState(t, cfg.Out)
	if len(st.History) != 2 || st.History[1].ValLoss > 0.8*st.History[0].ValLoss {
		t.Fatalf("full training: evaluations %+v", st.History)
	}
	if run.Output != filepath.Join(cfg.Out, modelstore.ModelFile) {
		t.Fatalf("output %s", run.Output)
	}
	trained, err := bindings.ReferenceLoss(run.Output, "", toks, 1)
	if err != nil {
		t.Fatal(err)
	}
	initial, err := bindings.ReferenceLoss(out, "", toks, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("validation loss %.3f -> %.3f; llama.cpp loss of a training sample %.3f -> %.3f",
		st.History[0].ValLoss, st.History[1].ValLoss, initial, trained)
	if trained > 0.8*initial {
		t.Fatalf("the written model.gguf does not carry the training: loss %.3f -> %.3f", initial, trained)
	}
}
