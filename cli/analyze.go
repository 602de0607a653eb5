package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func analyzeCommand() *ucli.Command {
	return &ucli.Command{Name: "analyze", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("analyze is not built yet") }}
}
