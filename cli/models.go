package cli

import ucli "github.com/urfave/cli/v2"

func modelsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "models",
		Usage: "list, inspect, remove, quantize, merge and download GGUF models",
		Subcommands: []*ucli.Command{
			modelsListCommand(),
			modelsShowCommand(),
			modelsRmCommand(),
			modelsInfoCommand(),
			modelsQuantizeCommand(),
			modelsMergeCommand(),
			modelsPullCommand(),
		},
	}
}
