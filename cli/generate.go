package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func generateCommand() *ucli.Command {
	return &ucli.Command{Name: "generate", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("generate is not built yet") }}
}
