package cli

import ucli "github.com/urfave/cli/v2"

func modelsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "models",
		Usage: "inspect, quantize, merge and download GGUF models",
		Subcommands: []*ucli.Command{
			modelsInfoCommand(),
			modelsQuantizeCommand(),
			modelsMergeCommand(),
			modelsPullCommand(),
		},
	}
}
