package cli

import (
	"fmt"
	"runtime"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/bindings"
)

func versionCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "version",
		Usage: "print the version, the engine build and the loaded compute backends",
		Action: func(c *ucli.Context) error {
			w := c.App.Writer
			fmt.Fprintf(w, "codeloom %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(w, "engine: llama.cpp %s with ggml\n", bindings.EngineCommit)
			cpu := bindings.CPU()
			fmt.Fprintf(w, "cpu features compiled: %s\n", strings.Join(cpu.Compiled, " "))
			if len(cpu.Missing) > 0 {
				fmt.Fprintf(w, "WARNING: this CPU has %s but the engine was built without it: rebuild with `make build` (CGO_CFLAGS=-march=native) for full speed\n",
					strings.Join(cpu.Missing, ", "))
			}
			for _, b := range bindings.Backends() {
				fmt.Fprintf(w, "backend %s: %s\n", b.Name, strings.Join(b.Devices, "; "))
				// The CPU's features are the line above; a GPU backend's
				// (CUDA architectures, graphs, ...) are shown here.
				if b.Name != "CPU" && len(b.Features) > 0 {
					var fs []string
					for k, v := range b.Features {
						fs = append(fs, k+"="+v)
					}
					sort.Strings(fs)
					fmt.Fprintf(w, "  features: %s\n", strings.Join(fs, " "))
				}
			}
			fmt.Fprintf(w, "system: %s\n", bindings.SystemInfo())
			return nil
		},
	}
}
