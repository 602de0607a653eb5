package cli

import (
	"bytes"
	"context"
	"errors"

	ucli "github.com/urfave/cli/v2"
)

// runCLI runs the command line in-process and returns its exit code (as
// Run would) and everything it wrote, error message included.
func runCLI(args ...string) (int, string) {
	var out bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &out
	err := app.RunContext(context.Background(), flagsFirst(app, append([]string{"codeloom"}, args...)))
	if err == nil {
		return 0, out.String()
	}
	out.WriteString(err.Error())
	var exit ucli.ExitCoder
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String()
	}
	return 1, out.String()
}
