package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/pipeline"
	ucli "github.com/urfave/cli/v2"
)

func TestPipelineCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("train:\n  rnak: 4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"print config", []string{"--print-config"}, 0, string(pipeline.DefaultYAML)},
		{"unknown key", []string{"--config", bad}, 2, "config " + bad + ": line 2: unknown key train.rnak"},
		{"missing file", []string{"--config", filepath.Join(dir, "none.yaml")}, 2, "no such file"},
		{"argument", []string{"extra"}, 2, "pipeline takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			app := newApp()
			app.Writer, app.ErrWriter = &out, &out
			err := app.RunContext(context.Background(), append([]string{"codeloom", "pipeline"}, tt.args...))
			code := 0
			if err != nil {
				code = 1
				var exit ucli.ExitCoder
				if errors.As(err, &exit) {
					code = exit.ExitCode()
				}
				out.WriteString(err.Error())
			}
			if code != tt.wantCode || !strings.Contains(out.String(), tt.want) {
				t.Fatalf("exit %d, output %q; want exit %d and %q", code, out.String(), tt.wantCode, tt.want)
			}
		})
	}
}
