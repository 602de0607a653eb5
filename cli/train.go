package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func trainCommand() *ucli.Command {
	return &ucli.Command{Name: "train", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("train is not built yet") }}
}
