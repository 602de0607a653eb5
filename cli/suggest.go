package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/internal/editdist"
)

// answerUsageErrors makes a mistyped command or flag a one-line usage
// error with a hint (exit 2), as git and llama.cpp answer it, instead of
// urfave/cli's whole help with the error above it.
func answerUsageErrors(app *ucli.App) {
	app.Action = unknownCommandAction("", app.Commands)
	var walk func([]*ucli.Command)
	walk = func(cmds []*ucli.Command) {
		for _, cmd := range cmds {
			walk(cmd.Subcommands)
			cmd.OnUsageError = flagError
			if len(cmd.Subcommands) > 0 && cmd.Action == nil {
				cmd.Action = unknownCommandAction(cmd.Name, cmd.Subcommands)
			}
		}
	}
	walk(app.Commands)
}

// unknownCommandAction answers a group (group is "" for codeloom itself)
// invoked with a word that names none of its commands; with no word it
// shows the group's help.
func unknownCommandAction(group string, cmds []*ucli.Command) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		if !c.Args().Present() {
			return ucli.ShowSubcommandHelp(c)
		}
		word := c.Args().First()
		var names []string
		for _, cmd := range cmds {
			if !cmd.Hidden {
				names = append(names, cmd.Name) // aliases such as ls are no better a hint
			}
		}
		prefix, help := "", "codeloom"
		if group != "" {
			prefix, help = group+": ", "codeloom "+group
		}
		return usageError("%sunknown command %q%s (see %s --help)", prefix, word, didYouMean(word, names, ""), help)
	}
}

// flagError is every command's OnUsageError: the parse error, the closest
// flag when one is near, and where the help is.
func flagError(c *ucli.Context, err error, _ bool) error {
	msg := err.Error()
	hint := ""
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		var flags []string
		for _, f := range c.Command.Flags {
			flags = append(flags, f.Names()...)
		}
		hint = didYouMean(name, flags, "--")
	}
	return usageError("%s: %s%s (see codeloom %s --help)", c.Command.FullName(), msg, hint, c.Command.FullName())
}

// didYouMean names the candidate closest to word when it is close enough
// to be a typo (an edit distance of at most a third of the word, or a
// prefix), else nothing.
func didYouMean(word string, candidates []string, prefix string) string {
	best, bestDist := "", len(word)/3+1
	for _, c := range candidates {
		d := editdist.Distance([]byte(word), []byte(c))
		if strings.HasPrefix(c, word) && len(word) >= 3 {
			d = min(d, 1)
		}
		if d < bestDist || (d == bestDist && best != "" && len(c) < len(best)) {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	if prefix != "" && len(best) == 1 {
		prefix = "-"
	}
	return fmt.Sprintf(", did you mean %s%s?", prefix, best)
}
