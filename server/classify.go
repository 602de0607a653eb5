package server

import (
	"context"
	"math"
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// defaultClassifyTemplate frames the text before each label is scored as
// its continuation.
const defaultClassifyTemplate = "{text}\nCategory:"

// maxLabels bounds the labels of one request: each costs a scoring pass.
const maxLabels = 64

type classifyRequest struct {
	Text     *string  `json:"text"`
	Labels   []string `json:"labels"`
	Model    string   `json:"model"`
	Adapter  string   `json:"adapter"`
	Template string   `json:"template"`
}

type labelScore struct {
	Label       string  `json:"label"`
	LogProb     float64 `json:"logprob"`
	Tokens      int     `json:"tokens"`
	Probability float64 `json:"probability"`
}

// classify serves POST /classify: with labels, zero-shot classification by
// the model's log-likelihood of each label; without, the text's
// programming language.
func (s *Server) classify(c *gin.Context) {
	var req classifyRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.Text == nil || strings.TrimSpace(*req.Text) == "" {
		writeError(c, errorf(http.StatusBadRequest, "empty_text", "text is required and must not be empty"))
		return
	}
	if len(req.Labels) == 0 {
		s.classifyLanguage(c, *req.Text)
		return
	}
	if err := req.validate(); err != nil {
		writeError(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opt.RequestTimeout)
	defer cancel()
	in, err := s.begin(ctx, req.Model, req.Adapter, 1)
	if err != nil {
		writeError(c, err)
		return
	}
	defer in.end()
	prompt := strings.ReplaceAll(req.Template, "{text}", *req.Text)
	scores := make([]labelScore, len(req.Labels))
	for i, label := range req.Labels {
		sc, err := in.ctx.Score(ctx, prompt, " "+label)
		if err != nil {
			writeError(c, engineError(ctx, err))
			return
		}
		scores[i] = labelScore{Label: label, LogProb: sc.LogProb, Tokens: sc.Tokens}
	}
	normalize(scores)
	c.JSON(http.StatusOK, gin.H{"method": "model_scoring", "model": in.model.Name, "adapter": in.adapterName(),
		"label": scores[0].Label, "labels": scores})
}

func (r *classifyRequest) validate() error {
	if len(r.Labels) > maxLabels {
		return badRequest("at most %d labels, got %d", maxLabels, len(r.Labels))
	}
	seen := map[string]bool{}
	for _, l := range r.Labels {
		if strings.TrimSpace(l) == "" || seen[l] {
			return badRequest("labels must be distinct and not empty")
		}
		seen[l] = true
	}
	if r.Template == "" {
		r.Template = defaultClassifyTemplate
	}
	if !strings.Contains(r.Template, "{text}") {
		return badRequest("template must contain {text}")
	}
	return nil
}

// normalize turns log-likelihoods into probabilities over the labels
// (a softmax) and sorts them best first.
func normalize(scores []labelScore) {
	top := math.Inf(-1)
	for _, s := range scores {
		top = max(top, s.LogProb)
	}
	sum := 0.0
	for i := range scores {
		scores[i].Probability = math.Exp(scores[i].LogProb - top)
		sum += scores[i].Probability
	}
	for i := range scores {
		scores[i].Probability /= sum
	}
	sort.SliceStable(scores, func(i, j int) bool { return scores[i].LogProb > scores[j].LogProb })
}

func (s *Server) classifyLanguage(c *gin.Context, text string) {
	guesses := ClassifyLanguage(text, s.opt.Syntax)
	method := "heuristics"
	if s.opt.Syntax != nil {
		method = "syntax+heuristics"
	}
	lang := "unknown"
	if len(guesses) > 0 && guesses[0].Score > 0 {
		lang = guesses[0].Language
	}
	if len(guesses) > 5 {
		guesses = guesses[:5]
	}
	c.JSON(http.StatusOK, gin.H{"method": method, "language": lang, "candidates": guesses})
}
