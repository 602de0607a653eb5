package pipeline

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/extract"
)

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// check is one rule: when bad, the config is refused with key and why.
type check struct {
	key string
	bad bool
	why string
}

// validate checks values the types alone do not; each error names its key.
func (c *Config) validate() error {
	checks := []check{
		{"name", !namePattern.MatchString(c.Name), fmt.Sprintf("%q must be letters, digits, '.', '_' or '-'", c.Name)},
		{"datasets", c.Datasets == "", "must name a folder"},
		{"models", c.Models == "", "must name a folder"},
		{"threads", c.Threads < 0, "must be 0 (automatic) or more"},
		{"extract.sources", len(c.Extract.Sources) == 0, "needs at least one source"},
		{"extract.val_ratio", c.Extract.ValRatio <= 0 || c.Extract.ValRatio >= 1, fmt.Sprintf("must be between 0 and 1, got %g", c.Extract.ValRatio)},
		{"extract.near_dedup", c.Extract.NearDedup < 0 || c.Extract.NearDedup > 1, fmt.Sprintf("must be between 0 (off) and 1, got %g", c.Extract.NearDedup)},
		{"extract.licenses", c.Extract.Licenses == "", "must be permissive, any or a list of SPDX ids"},
		{"base.model", c.Base.Model == "", `must be "tiny", a GGUF file or hf://OWNER/REPO/FILE`},
		{"train.format", !slices.Contains([]string{"completion", "instruct", "fim"}, c.Train.Format), fmt.Sprintf("must be completion, instruct or fim, got %q", c.Train.Format)},
		{"train.rank", c.Train.Rank <= 0, "must be positive"},
		{"train.alpha", c.Train.Alpha < 0, "must not be negative"},
		{"train.targets", len(c.Train.Targets) == 0, "needs at least one tensor kind"},
		{"train.learning_rate", c.Train.LearningRate <= 0, "must be positive"},
		{"train.epochs", c.Train.Epochs <= 0 && c.Train.MaxSteps <= 0, "and train.max_steps cannot both be 0"},
		{"train.max_steps", c.Train.MaxSteps < 0, "must be 0 (no limit) or more"},
		{"train.ctx", c.Train.Ctx < 16, "must be at least 16 tokens"},
		{"train.batch", c.Train.Batch <= 0, "must be positive"},
		{"eval.limit", c.Eval.Limit < 0, "must be 0 (all) or more"},
		{"eval.max_tokens", c.Eval.MaxTokens <= 0, "must be positive"},
		{"serve.addr", c.Serve.Enabled && !strings.Contains(c.Serve.Addr, ":"), fmt.Sprintf("must be HOST:PORT, got %q", c.Serve.Addr)},
	}
	if c.Base.Model == TinyBase {
		t := c.Base.Tiny
		checks = append(checks, []check{
			{"base.tiny.sources", len(t.Sources) == 0, "needs at least one source"},
			{"base.tiny.vocab", t.Vocab < 259, "must be at least 259 (256 bytes and the special tokens)"},
			{"base.tiny.layers", t.Layers <= 0, "must be positive"},
			{"base.tiny.heads", t.Heads <= 0, "must be positive"},
			{"base.tiny.dim", t.Heads > 0 && (t.Dim <= 0 || t.Dim%t.Heads != 0), fmt.Sprintf("must be a positive multiple of base.tiny.heads (%d), got %d", t.Heads, t.Dim)},
			{"base.tiny.ctx", t.Ctx < 16, "must be at least 16 tokens"},
			{"base.tiny.max_steps", t.MaxSteps <= 0, "must be positive"},
			{"base.tiny.learning_rate", t.LearningRate <= 0, "must be positive"},
		}...)
	}
	for _, ch := range checks {
		if ch.bad {
			return fmt.Errorf("%s: %s", ch.key, ch.why)
		}
	}
	return c.checkNames()
}

// checkNames checks the values only the phase packages know (language,
// licence and LoRA target names), so a bad one fails before any step runs.
func (c *Config) checkNames() error {
	if _, err := dataset.ParseLicensePolicy(c.Extract.Licenses); err != nil {
		return fmt.Errorf("extract.licenses: %w", err)
	}
	for _, l := range c.Extract.Languages {
		if extract.LanguageByName(l) == nil {
			return fmt.Errorf("extract.languages: unknown language %q (known: %s)", l, strings.Join(extract.LanguageNames(), ", "))
		}
	}
	for _, target := range c.Train.Targets {
		if !slices.Contains(bindings.LoRATargets, target) {
			return fmt.Errorf("train.targets: unknown projection %q (known: %s)", target, strings.Join(bindings.LoRATargets, ", "))
		}
	}
	return nil
}
