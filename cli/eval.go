package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func evalCommand() *ucli.Command {
	return &ucli.Command{Name: "eval", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("eval is not built yet") }}
}
