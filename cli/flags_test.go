package cli

import (
	"slices"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/pipeline"
)

// TestTrainKeysAreTrainFlags keeps the pipeline's train section and
// `codeloom train` in step: every key is a flag under the rule '_' → '-',
// and every flag is a key or is left out with a reason.
func TestTrainKeysAreTrainFlags(t *testing.T) {
	var flags []string
	for _, f := range trainCommand().Flags {
		flags = append(flags, f.Names()[0])
	}
	keys := pipeline.TrainKeys()
	for _, k := range keys {
		if !slices.Contains(flags, pipeline.TrainFlag(k)) {
			t.Errorf("train.%s is not a flag of codeloom train (want --%s)", k, pipeline.TrainFlag(k))
		}
	}
	for _, f := range flags {
		_, left := pipeline.TrainFlagsLeftOut[f]
		inPipeline := slices.ContainsFunc(keys, func(k string) bool { return pipeline.TrainFlag(k) == f })
		if left == inPipeline {
			t.Errorf("--%s: a pipeline key %v, left out %v; want exactly one", f, inPipeline, left)
		}
	}
}

// TestUsageDoesNotRepeatDefault walks every command's flags: urfave/cli
// prints "(default: X)" itself from Value or DefaultText, so a Usage that
// speaks of the default as well says it twice, or contradicts it (a zero
// Value printed as "(default: 0)" where 0 means "automatic"). A default
// written by hand in a Usage belongs in DefaultText. A false bool's
// "(default: false)" is urfave's own and says nothing to repeat.
func TestUsageDoesNotRepeatDefault(t *testing.T) {
	var walk func(prefix string, cmds []*ucli.Command)
	walk = func(prefix string, cmds []*ucli.Command) {
		for _, cmd := range cmds {
			name := strings.TrimSpace(prefix + " " + cmd.Name)
			for _, f := range cmd.Flags {
				df, ok := f.(ucli.DocGenerationFlag)
				if !ok {
					continue
				}
				usage := strings.ToLower(df.GetUsage())
				printed := strings.Replace(f.String(), df.GetUsage(), "", 1)
				printsDefault := strings.Contains(printed, "(default: ") && !strings.Contains(printed, "(default: false)")
				if strings.Contains(usage, "(default") || strings.Contains(usage, "default") && printsDefault {
					t.Errorf("%s --%s: usage %q speaks of the default and urfave prints %q", name, f.Names()[0], usage, printed)
				}
			}
			walk(name, cmd.Subcommands)
		}
	}
	walk("", newApp().Commands)
}
