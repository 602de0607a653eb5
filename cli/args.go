package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// flagsFirst reorders a command line so that each command's flags come
// before its arguments: urfave/cli stops reading flags at the first
// argument, while users write `codeloom extract SRC --out DIR` as readily
// as `codeloom extract --out DIR SRC`. Everything after "--" stays an
// argument.
func flagsFirst(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	cmds := app.Commands
	var cmd *ucli.Command
	// Walk down the command path: leading flags and command names stay in
	// place.
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		next := findCommand(cmds, rest[0])
		if next == nil {
			break
		}
		cmd, cmds = next, next.Subcommands
		out = append(out, rest[0])
		rest = rest[1:]
	}
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return args
	}
	var flags, positional []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			positional = append(positional, rest[i:]...)
			i = len(rest)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			if !strings.Contains(a, "=") && takesValue(cmd, a) && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		default:
			positional = append(positional, a)
		}
	}
	return append(append(out, flags...), positional...)
}

func findCommand(cmds []*ucli.Command, name string) *ucli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue tells whether the flag spelled arg ("-n", "--out") needs the
// next word as its value; unknown flags are left for the parser to report.
func takesValue(cmd *ucli.Command, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if v, ok := f.(ucli.DocGenerationFlag); ok {
				return v.TakesValue()
			}
			return false
		}
	}
	return false
}
