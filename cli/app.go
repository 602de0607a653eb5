// Package cli wires codeloom's commands, flags and environment variables to
// the packages that do the work. It holds no logic of its own beyond that.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	ucli "github.com/urfave/cli/v2"
)

// Version is set at build time with -ldflags "-X .../cli.Version=...".
var Version = "0.1.0-dev"

// Run runs the command line and returns the process exit code.
func Run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := newApp()
	if err := app.RunContext(ctx, flagsFirst(app, args)); err != nil {
		var exit ucli.ExitCoder
		if errors.As(err, &exit) {
			if msg := err.Error(); msg != "" {
				fmt.Fprintln(os.Stderr, "codeloom:", msg)
			}
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "codeloom:", err)
		return 1
	}
	return 0
}

func newApp() *ucli.App {
	return &ucli.App{
		Name:    "codeloom",
		Usage:   "turn code repositories into a fine-tuned code model, and serve it",
		Version: Version,
		// Errors are printed once by Run, not by the library as well.
		ExitErrHandler: func(*ucli.Context, error) {},
		Commands: []*ucli.Command{
			versionCommand(),
			extractCommand(),
			analyzeCommand(),
			trainCommand(),
			modelCommand(),
			evalCommand(),
			generateCommand(),
			serveCommand(),
			modelsCommand(),
			pipelineCommand(),
		},
	}
}

// usageError marks a wrong invocation: exit code 2, like flag parsing errors.
func usageError(format string, a ...any) error {
	return ucli.Exit(fmt.Sprintf(format, a...), 2)
}
