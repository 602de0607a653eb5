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
	app := &ucli.App{
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
	checkRequiredFirst(app.Commands)
	answerUsageErrors(app)
	return app
}

// checkRequiredFirst makes a missing required flag a one-line usage error:
// urfave/cli prints the command's whole help before the error, which leaves
// the reason at the bottom of forty lines. Help itself is answered before
// Before runs, so --help still works without the flags.
func checkRequiredFirst(cmds []*ucli.Command) {
	for _, cmd := range cmds {
		checkRequiredFirst(cmd.Subcommands)
		var required []string
		for _, f := range cmd.Flags {
			if sf, ok := f.(*ucli.StringFlag); ok && sf.Required {
				sf.Required = false
				required = append(required, sf.Name)
			}
		}
		if len(required) == 0 {
			continue
		}
		before := cmd.Before
		cmd.Before = func(c *ucli.Context) error {
			for _, name := range required {
				if !c.IsSet(name) {
					return usageError("%s: --%s is required (see codeloom %s --help)", c.Command.FullName(), name, c.Command.FullName())
				}
			}
			if before != nil {
				return before(c)
			}
			return nil
		}
	}
}

// usageError marks a wrong invocation: exit code 2, like flag parsing errors.
func usageError(format string, a ...any) error {
	return ucli.Exit(fmt.Sprintf(format, a...), 2)
}
