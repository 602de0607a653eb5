package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/llm"
)

// RecordSample is one held-out record and what the model wrote for it.
type RecordSample struct {
	ID          string  `json:"id"`
	Language    string  `json:"language"`
	Name        string  `json:"qualified_name"`
	Prompt      string  `json:"prompt"`
	Completion  string  `json:"completion"`
	Reference   string  `json:"reference"`
	ExactMatch  bool    `json:"exact_match"`
	EditSim     float64 `json:"edit_similarity"`
	SyntaxValid *bool   `json:"syntax_valid,omitempty"`
	// ReferenceValid is the syntax validity of the prompt plus the real body.
	ReferenceValid *bool   `json:"syntax_valid_reference,omitempty"`
	MeanNLL        float64 `json:"mean_nll,omitempty"`
	NLLTokens      int     `json:"nll_tokens,omitempty"`
	TTFTMs         float64 `json:"ttft_ms"`
	TokensPerSec   float64 `json:"tokens_per_s,omitempty"`
}

// textStats accumulates the text metrics of a set of records (the whole run
// or one language).
type textStats struct {
	records, exact             int
	editSim                    float64
	bleu                       BLEU
	syntaxChecked, syntaxValid int
	refChecked, refValid       int
	nll                        float64 // summed over tokens
	nllTokens, nllRecords      int
}

func (s *textStats) add(r RecordSample) {
	s.records++
	if r.ExactMatch {
		s.exact++
	}
	s.editSim += r.EditSim
	s.bleu.Add(r.Completion, r.Reference)
	if r.SyntaxValid != nil {
		s.syntaxChecked++
		if *r.SyntaxValid {
			s.syntaxValid++
		}
	}
	if r.ReferenceValid != nil {
		s.refChecked++
		if *r.ReferenceValid {
			s.refValid++
		}
	}
	if r.NLLTokens > 0 {
		s.nll += r.MeanNLL * float64(r.NLLTokens)
		s.nllTokens += r.NLLTokens
		s.nllRecords++
	}
}

// metrics names the numbers. Shares are in [0, 1]; mean_nll is nats per
// token over all scored tokens (not a mean of per-record means).
func (s *textStats) metrics() map[string]float64 {
	m := map[string]float64{"records": float64(s.records)}
	if s.records == 0 {
		return m
	}
	n := float64(s.records)
	m["bleu4"] = s.bleu.Score()
	m["exact_match"] = float64(s.exact) / n
	m["edit_similarity"] = s.editSim / n
	if s.syntaxChecked > 0 {
		m["syntax_valid"] = float64(s.syntaxValid) / float64(s.syntaxChecked)
	}
	if s.refChecked > 0 {
		m["syntax_valid_reference"] = float64(s.refValid) / float64(s.refChecked)
	}
	if s.nllTokens > 0 {
		m["mean_nll"] = s.nll / float64(s.nllTokens)
		m["perplexity"] = math.Exp(s.nll / float64(s.nllTokens))
		m["nll_tokens"] = float64(s.nllTokens)
		m["nll_records"] = float64(s.nllRecords)
	}
	return m
}

// RecordOptions control the evaluation on dataset records.
type RecordOptions struct {
	MaxTokens int               // per completion; 0: 256
	Sampling  llm.SampleOptions // its penalties apply; completions are greedy
	Syntax    SyntaxChecker     // nil: syntax validity is not measured
}

// recordResult is the outcome of evaluating an LM on records.
type recordResult struct {
	metrics   map[string]float64
	languages map[string]map[string]float64
	samples   []RecordSample
	timings   []timing
}

// scoreRecords prompts lm with each record's head (BuildPrompt), completes
// the body greedily or as the LM samples, and scores it against the real
// body; completions are greedy. It also scores the record's code by teacher forcing. Records without
// a usable prompt, or too long for the context, are counted as skipped.
func scoreRecords(ctx context.Context, lm LM, recs []dataset.Record, opt RecordOptions, done func()) (recordResult, error) {
	var all textStats
	langs := map[string]*textStats{}
	res := recordResult{languages: map[string]map[string]float64{}}
	skipped := map[string]int{}
	for i := range recs {
		r := &recs[i]
		s, skip, err := scoreRecord(ctx, lm, r, opt)
		done()
		if err != nil {
			return recordResult{}, fmt.Errorf("record %s (%s): %w", r.ID, r.QualifiedName, err)
		}
		if skip != "" {
			skipped[skip]++
			continue
		}
		res.samples = append(res.samples, s)
		res.timings = append(res.timings, timing{ttft: time.Duration(s.TTFTMs * float64(time.Millisecond)), tokensPerSec: s.TokensPerSec})
		all.add(s)
		if langs[r.Language] == nil {
			langs[r.Language] = &textStats{}
		}
		langs[r.Language].add(s)
	}
	res.metrics = all.metrics()
	for reason, n := range skipped {
		res.metrics["skipped_"+reason] = float64(n)
	}
	for l, s := range langs {
		res.languages[l] = s.metrics()
	}
	if all.records == 0 {
		return res, fmt.Errorf("no record could be evaluated (skipped: %v)", sortedCounts(skipped))
	}
	return res, nil
}

// Reasons a record is skipped.
const (
	skipNoPrompt = "no_prompt" // signature not found in the code, or no body to write
	skipTooLong  = "too_long"  // prompt or code longer than the context
)

// scoreRecord evaluates one record; skip names why it was not evaluated.
func scoreRecord(ctx context.Context, lm LM, r *dataset.Record, opt RecordOptions) (s RecordSample, skip string, err error) {
	p, ok := BuildPrompt(r)
	if !ok {
		return s, skipNoPrompt, nil
	}
	completion, t, err := complete(ctx, lm, p.Prompt, r.Language, p.BraceBody, opt.MaxTokens, greedy(opt.Sampling))
	if errors.Is(err, llm.ErrPromptTooLong) {
		return s, skipTooLong, nil
	}
	if err != nil {
		return s, "", err
	}
	s = RecordSample{ID: r.ID, Language: r.Language, Name: r.QualifiedName, Prompt: p.Prompt,
		Completion: completion, Reference: p.Reference,
		ExactMatch: ExactMatch(completion, p.Reference), EditSim: EditSimilarity(completion, p.Reference),
		TTFTMs: float64(t.ttft) / float64(time.Millisecond), TokensPerSec: t.tokensPerSec}
	if opt.Syntax != nil {
		if v, ok := opt.Syntax.Valid(r.Language, p.Prompt+completion); ok {
			s.SyntaxValid = &v
		}
		if v, ok := opt.Syntax.Valid(r.Language, p.Prompt+p.Reference); ok {
			s.ReferenceValid = &v
		}
	}
	ppl, err := lm.Perplexity(ctx, r.Code)
	switch {
	case errors.Is(err, llm.ErrPromptTooLong):
		// The completion still counts; only its perplexity is missing.
	case err != nil:
		return s, "", fmt.Errorf("perplexity: %w", err)
	default:
		s.MeanNLL, s.NLLTokens = ppl.MeanNLL, ppl.Tokens
	}
	return s, "", nil
}

func sortedCounts(m map[string]int) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}
