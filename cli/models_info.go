package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func modelsInfoCommand() *ucli.Command {
	return &ucli.Command{Name: "modelsInfo", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("modelsInfo is not built yet") }}
}
