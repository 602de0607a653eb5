package train

import (
	"context"
	"math"
)

// evaluate computes the validation loss, keeps the best adapter and says
// whether early stopping ends the run.
func (r *runner) evaluate(ctx context.Context) (bool, error) {
	if len(r.data.Val) == 0 {
		return false, nil
	}
	val, err := r.validationLoss(ctx)
	if err != nil {
		return false, err
	}
	rec := EvalRecord{Step: r.st.Step, Epoch: r.st.Epoch, ValLoss: val, ValPPL: math.Exp(val)}
	if r.lossN > 0 {
		rec.Loss = r.lossSum / float64(r.lossN)
	}
	r.lossSum, r.lossN = 0, 0
	r.st.History = append(r.st.History, rec)
	r.log(map[string]any{"step": rec.Step, "epoch": rec.Epoch, "val_loss": val, "val_ppl": rec.ValPPL})
	r.scalar("val/loss", val)
	r.scalar("val/perplexity", rec.ValPPL)
	r.events.Flush()
	r.report(Event{Kind: "eval", Step: r.st.Step, Steps: r.total, Epoch: r.st.Epoch, ValLoss: val, ValPPL: rec.ValPPL})
	if !r.st.HasBest || val < r.st.BestVal-r.cfg.MinDelta {
		r.st.HasBest, r.st.BestVal, r.st.BestStep, r.st.BadEvals = true, val, r.st.Step, 0
		return false, r.export(ctx)
	}
	r.st.BadEvals++
	return r.cfg.Patience > 0 && r.st.BadEvals >= r.cfg.Patience, nil
}

func (r *runner) validationLoss(ctx context.Context) (float64, error) {
	val := r.data.Val
	if r.cfg.MaxEvalWindows > 0 && len(val) > r.cfg.MaxEvalWindows {
		val = val[:r.cfg.MaxEvalWindows]
	}
	var nll float64
	var n int
	for _, w := range val {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		s, c, err := r.tr.Eval(w)
		if err != nil {
			return 0, err
		}
		nll += s
		n += c
	}
	return nll / float64(n), nil
}
