package bindings

import (
	"math"
	"testing"

	"github.com/codeloom/codeloom/gguf"
)

// A step's upload is the window's token ids, positions, sample runs, label
// picks and weights, a few bytes per token in one transfer: never a
// [vocab x rows] one-hot (on a GPU host that was 1.2 GB a step) nor an
// n x n attention mask (the graph builds it). Windows of one length whose
// scored rows differ share one step graph, and the loss of a window with
// masked labels is the mean over the labels that remain.
func TestTrainerStepInputsAreTokenSized(t *testing.T) {
	path := tinyModel(t, "llama", gguf.F32)
	tr := newTrainer(t, path, TrainerOptions{Rank: 4, Seed: 1})
	const n = 64
	vocab := tr.Info().Vocab
	toks := randomTokens(n, vocab, 5)
	full := NextTokenWindow(toks)
	nllFull, nFull, err := tr.Eval(full)
	if err != nil {
		t.Fatal(err)
	}

	before := tr.Counters()
	for masked := 0; masked < 6; masked++ {
		w := NextTokenWindow(toks)
		w.Labels = append([]int32{}, w.Labels...)
		for i := 0; i < masked; i++ {
			w.Labels[i*7] = -1
		}
		if _, err := tr.Accumulate(w, 1); err != nil {
			t.Fatal(err)
		}
	}
	after := tr.Counters()
	if builds := after.GraphBuilds - before.GraphBuilds; builds != 1 {
		t.Errorf("six windows of %d tokens with 58 to 63 scored rows built %d training graphs, want 1", n, builds)
	}
	perStep := float64(after.UploadedBytes-before.UploadedBytes) / 6
	maskBytes := float64(4 * n * n)
	oneHot := float64(4 * vocab * (n - 1))
	t.Logf("per step: %.0f bytes in %d transfers (a host-made mask would be %.0f, a one-hot %.0f)", perStep,
		after.Uploads-before.Uploads, maskBytes, oneHot)
	if perStep > 32*n+1024 {
		t.Errorf("a step uploads %.0f bytes, more than 32 bytes a token and 1 KiB of alignment", perStep)
	}
	if uploads := after.Uploads - before.Uploads; uploads != 6 {
		t.Errorf("six steps made %d transfers, want one a step", uploads)
	}

	// Masking a label removes exactly its term: the masked window's mean
	// loss times its count plus the masked positions' own NLL equals the
	// full window's. Each masked position's NLL is the full window's minus
	// the window without it.
	w := NextTokenWindow(toks)
	w.Labels = append([]int32{}, w.Labels...)
	w.Labels[10] = -1
	nllMasked, nMasked, err := tr.Eval(w)
	if err != nil {
		t.Fatal(err)
	}
	only := NextTokenWindow(toks)
	only.Labels = make([]int32, n)
	for i := range only.Labels {
		only.Labels[i] = -1
	}
	only.Labels[10] = full.Labels[10]
	nllOnly, nOnly, err := tr.Eval(only)
	if err != nil {
		t.Fatal(err)
	}
	if nMasked+nOnly != nFull || math.Abs(nllMasked+nllOnly-nllFull) > 1e-4*nllFull {
		t.Fatalf("masked %d rows nll %.5f + single row %d nll %.5f != full %d rows nll %.5f",
			nMasked, nllMasked, nOnly, nllOnly, nFull, nllFull)
	}
}
