package eval

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/codeloom/codeloom/eval/sandbox"
)

// program is a candidate made ready to run: its files are written to dir,
// which the sandbox shows at sandbox.SrcDir, and run is the command.
type program struct {
	dir string
	run []string
	env []string
	// build, when set, is a trusted step run as root in the sandbox (no
	// network, timeout) before run: compiling never executes the candidate.
	build []string
}

// goRunOverhead is the address space a Go binary reserves at start-up beyond
// its heap; Go runs get Limits.Memory plus this, and GOMEMLIMIT=Limits.Memory.
const goRunOverhead = 1 << 30

// prepare writes the program of one candidate into a new folder under tmp.
func prepare(tmp string, t Task, completion string, limits sandbox.Limits, tc toolchain) (*program, error) {
	dir, err := os.MkdirTemp(tmp, "candidate-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	p := &program{dir: dir, env: []string{"PATH=" + tc.path, "LANG=C.UTF-8"}}
	var files map[string]string
	switch t.Language {
	case LangPython:
		files = map[string]string{"candidate.py": t.Prompt + completion + "\n\n" + t.Test + "\n\ncheck(" + t.EntryPoint + ")\n"}
		p.run = []string{"python3", sandbox.SrcDir + "/candidate.py"}
		p.env = append(p.env, "PYTHONDONTWRITEBYTECODE=1")
	case LangGo:
		files = map[string]string{
			"go.mod":            "module candidate\n\ngo 1.21\n",
			"candidate.go":      t.Prompt + completion + "\n",
			"candidate_test.go": t.Test,
		}
		bin := sandbox.SrcDir + "/candidate.test"
		p.build = []string{tc.goBin, "-C", sandbox.SrcDir, "test", "-c", "-o", bin}
		p.run = []string{bin, "-test.count=1"}
		p.env = append(p.env, "GOMAXPROCS=2", fmt.Sprintf("GOMEMLIMIT=%d", limits.Memory))
	default:
		return nil, fmt.Errorf("task %s: no runner for language %q", t.TaskID, t.Language)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// toolchain is what the harness found on this machine to build and run
// candidates.
type toolchain struct {
	path    string   // PATH handed to candidates
	goBin   string   // absolute path of go, "" when absent
	goBuild []string // environment for trusted Go builds
}

// findToolchain looks up go once per evaluation (python3 is looked up in
// the sandbox, as the candidate's user). Go builds share the caller's build
// cache so each candidate compiles only its own package; a cache under /tmp
// is hidden by the sandbox's own /tmp, and builds then start cold.
func findToolchain(ctx context.Context, needGo bool) (toolchain, error) {
	tc := toolchain{path: os.Getenv("PATH")}
	if tc.path == "" {
		tc.path = "/usr/local/bin:/usr/bin:/bin"
	}
	if !needGo {
		return tc, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return tc, fmt.Errorf("go tasks need the go command: %w", err)
	}
	out, err := exec.CommandContext(ctx, goBin, "env", "GOCACHE", "GOROOT").Output()
	if err != nil {
		return tc, fmt.Errorf("go env: %w", err)
	}
	vals := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(vals) != 2 {
		return tc, fmt.Errorf("go env: unexpected output %q", out)
	}
	tc.goBin = goBin
	tc.goBuild = []string{
		"PATH=" + tc.path, "GOCACHE=" + vals[0], "GOROOT=" + vals[1],
		"CGO_ENABLED=0", "GOTOOLCHAIN=local", "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=mod",
	}
	return tc, nil
}
