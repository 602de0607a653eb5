package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func modelCommand() *ucli.Command {
	return &ucli.Command{Name: "model", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("model is not built yet") }}
}
