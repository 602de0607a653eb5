package cli

import (
	"path/filepath"
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/modelstore"
)

// applyModelDefaults fills the flags the command line left unset from the
// defaults.json beside the adapter, else beside the model (a model folder
// of the store), so that generate and eval use a model's own settings as
// serve does. Flags a command does not have are skipped.
func applyModelDefaults(c *ucli.Context, model, adapter string) error {
	var d *modelstore.Defaults
	for _, p := range []string{adapter, model} {
		if p == "" {
			continue
		}
		var err error
		if d, err = modelstore.ReadDefaults(filepath.Dir(p)); err != nil {
			return err
		}
		if d != nil {
			break
		}
	}
	if d == nil {
		return nil
	}
	has := map[string]bool{}
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			has[n] = true
		}
	}
	set := func(name, value string) error {
		if !has[name] || c.IsSet(name) {
			return nil
		}
		return c.Set(name, value)
	}
	float := func(v *float32) string { return strconv.FormatFloat(float64(*v), 'g', -1, 32) }
	var errs []error
	if d.Temperature != nil {
		errs = append(errs, set("temperature", float(d.Temperature)))
	}
	if d.TopP != nil {
		errs = append(errs, set("top-p", float(d.TopP)))
	}
	if d.MinP != nil {
		errs = append(errs, set("min-p", float(d.MinP)))
	}
	if d.RepeatPenalty != nil {
		errs = append(errs, set("repeat-penalty", float(d.RepeatPenalty)))
	}
	if d.TopK != nil {
		errs = append(errs, set("top-k", strconv.Itoa(*d.TopK)))
	}
	if d.Seed != nil {
		errs = append(errs, set("seed", strconv.FormatInt(*d.Seed, 10)))
	}
	if d.MaxTokens != nil {
		errs = append(errs, set("max-tokens", strconv.Itoa(*d.MaxTokens)))
	}
	if has["stop"] && !c.IsSet("stop") {
		for _, s := range d.Stop {
			errs = append(errs, c.Set("stop", s))
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
