package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/eval"
)

func TestPrintScores(t *testing.T) {
	rep := &eval.Report{
		Runs: []*eval.Run{
			{Name: "tuned", Metrics: map[string]float64{"bleu": 0.5, "syntax_valid": 0.9, "latency_ms": 12}},
			{Name: "base", Metrics: map[string]float64{"bleu": 0.25, "syntax_valid": 0.8}},
		},
		Deltas: map[string]float64{"bleu": 0.25, "syntax_valid": 0.1},
	}
	var b bytes.Buffer
	if err := printScores(&b, rep); err != nil {
		t.Fatal(err)
	}
	got := squeeze(b.String())
	for _, want := range []string{"metric tuned base change\n", "\nbleu 0.5 0.25 +0.25\n", "\nlatency_ms 12 - -\n", "\nsyntax_valid 0.9 0.8 +0.1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}
