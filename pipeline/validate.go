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
	t := c.Train
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
		{"train.format", !slices.Contains([]string{"completion", "instruct", "fim"}, t.Format), fmt.Sprintf("must be completion, instruct or fim, got %q", t.Format)},
		{"train.rank", t.Rank <= 0, "must be positive"},
		{"train.alpha", t.Alpha < 0, "must not be negative"},
		{"train.targets", len(t.Targets) == 0, "needs at least one tensor kind"},
		{"train.optimizer", !slices.Contains([]string{"adamw", "sgd"}, t.Optimizer), fmt.Sprintf("must be adamw or sgd, got %q", t.Optimizer)},
		{"train.lr", t.LR <= 0, "must be positive"},
		{"train.min_lr", t.MinLR < 0 || t.MinLR > t.LR, fmt.Sprintf("must be between 0 and train.lr (%g), got %g", t.LR, t.MinLR)},
		{"train.schedule", !slices.Contains([]string{"cosine", "linear", "constant"}, t.Schedule), fmt.Sprintf("must be cosine, linear or constant, got %q", t.Schedule)},
		{"train.warmup", t.Warmup < 0, "must be 0 (none) or more"},
		{"train.weight_decay", t.WeightDecay < 0, "must not be negative"},
		{"train.beta1", t.Beta1 <= 0 || t.Beta1 >= 1, fmt.Sprintf("must be between 0 and 1, got %g", t.Beta1)},
		{"train.beta2", t.Beta2 <= 0 || t.Beta2 >= 1, fmt.Sprintf("must be between 0 and 1, got %g", t.Beta2)},
		{"train.epochs", t.Epochs <= 0 && t.MaxSteps <= 0, "and train.max_steps cannot both be 0"},
		{"train.max_steps", t.MaxSteps < 0, "must be 0 (no limit) or more"},
		{"train.ctx", t.Ctx < 16, "must be at least 16 tokens"},
		{"train.micro_batch", t.MicroBatch <= 0, "must be positive"},
		{"train.grad_accum", t.GradAccum <= 0, "must be positive"},
		{"train.eval_every", t.EvalEvery < 0, "must be 0 (each epoch's end) or more"},
		{"train.max_eval_windows", t.MaxEvalWindows < 0, "must be 0 (all) or more"},
		{"train.patience", t.Patience < 0, "must be 0 (never stop early) or more"},
		{"train.min_delta", t.MinDelta < 0, "must not be negative"},
		{"train.checkpoint_every", t.CheckpointEvery < 0, "must be 0 (only at the end) or more"},
		{"eval.limit", c.Eval.Limit < 0, "must be 0 (all) or more"},
		{"eval.max_tokens", c.Eval.MaxTokens <= 0, "must be positive"},
		{"serve.addr", c.Serve.Enabled && !strings.Contains(c.Serve.Addr, ":"), fmt.Sprintf("must be HOST:PORT, got %q", c.Serve.Addr)},
	}
	if c.Base.Model == TinyBase {
		t := c.Base.Tiny // shadows the train section: only base.tiny is checked here
		checks = append(checks, []check{
			{"base.tiny.sources", len(t.Sources) == 0, "needs at least one source"},
			{"base.tiny.vocab", t.Vocab < 259, "must be at least 259 (256 bytes and the special tokens)"},
			{"base.tiny.layers", t.Layers <= 0, "must be positive"},
			{"base.tiny.heads", t.Heads <= 0, "must be positive"},
			{"base.tiny.dim", t.Heads > 0 && (t.Dim <= 0 || t.Dim%t.Heads != 0), fmt.Sprintf("must be a positive multiple of base.tiny.heads (%d), got %d", t.Heads, t.Dim)},
			{"base.tiny.ctx", t.Ctx < 16, "must be at least 16 tokens"},
			{"base.tiny.max_steps", t.MaxSteps <= 0, "must be positive"},
			{"base.tiny.lr", t.LR <= 0, "must be positive"},
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
