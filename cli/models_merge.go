package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func modelsMergeCommand() *ucli.Command {
	return &ucli.Command{Name: "modelsMerge", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("modelsMerge is not built yet") }}
}
