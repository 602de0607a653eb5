package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func modelsQuantizeCommand() *ucli.Command {
	return &ucli.Command{Name: "modelsQuantize", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("modelsQuantize is not built yet") }}
}
