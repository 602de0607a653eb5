package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func modelsPullCommand() *ucli.Command {
	return &ucli.Command{Name: "modelsPull", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("modelsPull is not built yet") }}
}
