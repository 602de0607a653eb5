package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func serveCommand() *ucli.Command {
	return &ucli.Command{Name: "serve", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("serve is not built yet") }}
}
