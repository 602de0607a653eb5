package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func versionCommand() *ucli.Command {
	return &ucli.Command{Name: "version", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("version is not built yet") }}
}
