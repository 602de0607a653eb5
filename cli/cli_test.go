package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// runCLI runs the command line in-process and returns its exit code (as
// Run would) and everything it wrote, error message included.
func runCLI(args ...string) (int, string) {
	var out bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &out
	err := app.RunContext(context.Background(), append([]string{"codeloom"}, args...))
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

// fixture returns a file of ../shared/fixtures, skipping when it is absent.
func fixture(t testing.TB, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "shared", "fixtures", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s not found (../shared/fixtures is only beside a developer's or CI's checkout)", name)
	}
	return p
}
