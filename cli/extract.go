package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func extractCommand() *ucli.Command {
	return &ucli.Command{Name: "extract", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("extract is not built yet") }}
}
