package train

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/internal/testfixture"
)

// The merged model computes what the base computes with the adapter.
func TestMergeAdapter(t *testing.T) {
	base := testfixture.Path(t, "stories260K.gguf")
	recs := goRecords(30, "r")
	cfg := quickConfig(t, base, writeDataset(t, recs))
	cfg.MaxSteps, cfg.EvalEvery = 10, 0
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := bindings.LoadModel(base, bindings.ModelParams{})
	if err != nil {
		t.Fatal(err)
	}
	toks, _ := m.Tokenize(recs[4].Code, true)
	m.Close()
	merged := filepath.Join(t.TempDir(), "merged.gguf")
	if err := MergeAdapter(context.Background(), base, res.Output, merged, 1); err != nil {
		t.Fatal(err)
	}
	want, err := bindings.ReferenceLoss(base, res.Output, toks, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := bindings.ReferenceLoss(merged, "", toks, 1)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := bindings.ReferenceLoss(base, "", toks, 1)
	t.Logf("base %.4f, base+adapter %.4f, merged %.4f", plain, want, got)
	if math.Abs(got-want) > 1e-3*want || math.Abs(plain-want) < 0.1 {
		t.Fatalf("merged loss %.5f, base with adapter %.5f, base %.5f", got, want, plain)
	}
	if err := MergeAdapter(context.Background(), merged, filepath.Join(t.TempDir(), "none.gguf"), merged+"2", 1); err == nil ||
		!strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing adapter: %v", err)
	}
}
