package cli

import ucli "github.com/urfave/cli/v2"

// TODO(owner of this command): replace with the real command.
func pipelineCommand() *ucli.Command {
	return &ucli.Command{Name: "pipeline", Usage: "(not built yet)", Action: func(*ucli.Context) error { return usageError("pipeline is not built yet") }}
}
