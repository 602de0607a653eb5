package train

import "github.com/codeloom/codeloom/bindings"

// PackStats counts what packing kept and lost.
type PackStats struct {
	Samples   int   `json:"samples"`   // samples packed
	Windows   int   `json:"windows"`   // context windows made
	Truncated int   `json:"truncated"` // samples cut to the context length
	Dropped   int   `json:"dropped"`   // samples with nothing left to score
	Tokens    int64 `json:"tokens"`    // tokens in all windows
	Scored    int64 `json:"scored"`    // scored positions in all windows
}

// Pack places samples one after another into windows of at most ctxLen
// tokens. A sample never spans two windows: one that does not fit in the
// current window starts the next, and one longer than ctxLen is cut to it.
// Inside a window samples are separate segments, so they do not attend to
// each other and the boundary between them is not scored.
func Pack(samples []Sample, ctxLen int) ([]bindings.Window, PackStats) {
	var (
		out   []bindings.Window
		st    PackStats
		cur   bindings.Window
		seg   int32
		score []bool
	)
	flush := func() {
		if len(cur.Tokens) == 0 {
			return
		}
		cur.Labels = make([]int32, len(cur.Tokens))
		for i := range cur.Tokens {
			cur.Labels[i] = -1
			if i+1 < len(cur.Tokens) && cur.Seg[i+1] == cur.Seg[i] && score[i+1] {
				cur.Labels[i] = cur.Tokens[i+1]
				st.Scored++
			}
		}
		st.Tokens += int64(len(cur.Tokens))
		out = append(out, cur)
		cur, score, seg = bindings.Window{}, nil, 0
	}
	for _, s := range samples {
		toks, sc := s.Tokens, s.Scored
		if len(toks) > ctxLen {
			toks, sc = toks[:ctxLen], sc[:ctxLen]
			st.Truncated++
		}
		if !scoresAny(sc) {
			st.Dropped++
			continue
		}
		if len(cur.Tokens)+len(toks) > ctxLen {
			flush()
		}
		for i := range toks {
			cur.Tokens = append(cur.Tokens, toks[i])
			cur.Seg = append(cur.Seg, seg)
			score = append(score, sc[i])
		}
		seg++
		st.Samples++
	}
	flush()
	st.Windows = len(out)
	return out, st
}

// scoresAny reports whether a sample has a target after its first token
// (the first token has nothing to be predicted from).
func scoresAny(scored []bool) bool {
	for i := 1; i < len(scored); i++ {
		if scored[i] {
			return true
		}
	}
	return false
}
