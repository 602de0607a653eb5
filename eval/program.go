package eval

import (
	"context"
	"crypto/rand"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/codeloom/codeloom/eval/sandbox"
)

// program is a candidate made ready to run: its files are written to dir,
// which the sandbox shows at sandbox.SrcDir, and run is the command.
//
// A run counts as passed only when the program hands back nonce on
// sandbox.ReportFD, which the harness's own code does after the task's checks
// returned: an exit status of 0 proves nothing, since the candidate may exit
// (os._exit(0), os.Exit(0) in an init function) before the checks run. The
// nonce is random per run and is never in a file the candidate can read:
// Python gets it on sandbox.SecretFD before the candidate's code runs (see
// pyRunner); Go has it compiled into a test binary the candidate's user may
// execute but not read, whose sources are gone before it runs (see seal).
type program struct {
	dir   string
	run   []string
	env   []string
	nonce string
	// secret is what the run reads on sandbox.SecretFD.
	secret []byte
	// build, when set, is a trusted step run as root in the sandbox (no
	// network, timeout) before run: compiling never executes the candidate.
	build []string
	// sources are the files in dir that seal removes after the build, and
	// bin the built program it makes unreadable.
	sources []string
	bin     string
}

// pyRunner runs the candidate file named by its argument as __main__ and
// then writes back the secret it read before the candidate's code started
// (so that code cannot read it from the descriptor). The secret lives only in
// a local variable of the runner's frame.
const pyRunner = `def _codeloom_run():
    import os, sys
    secret = b''
    while True:
        chunk = os.read(3, 4096)
        if not chunk:
            break
        secret += chunk
    os.close(3)
    path = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(path)
    with open(path) as f:
        code = compile(f.read(), path, 'exec')
    exec(code, {'__name__': '__main__', '__file__': path, '__builtins__': __builtins__})
    os.write(4, secret)
_codeloom_run()
`

// goHarness is the test main added to Go candidates: it reports the nonce
// only when every test ran and passed. os.Exit(0) in a test already fails
// (the testing package panics on it); in an init function or anywhere before
// m.Run returns it now fails too.
const goHarness = `package %s

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		os.NewFile(%d, "report").WriteString(%q)
	}
	os.Exit(code)
}
`

// goHarnessFile is the name of the harness's test file; a task's test
// should not use it.
const goHarnessFile = "codeloom_harness_test.go"

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
	p := &program{dir: dir, env: []string{"PATH=" + tc.path, "LANG=C.UTF-8"}, nonce: rand.Text()}
	var files map[string]string
	switch t.Language {
	case LangPython:
		files = map[string]string{"candidate.py": t.Prompt + completion + "\n\n" + t.Test + "\n\ncheck(" + t.EntryPoint + ")\n"}
		p.run = []string{"python3", "-c", pyRunner, sandbox.SrcDir + "/candidate.py"}
		p.env = append(p.env, "PYTHONDONTWRITEBYTECODE=1")
		p.secret = []byte(p.nonce)
	case LangGo:
		pkg, err := goTestPackage(t.Test)
		if err != nil {
			return nil, fmt.Errorf("task %s: %w", t.TaskID, err)
		}
		files = map[string]string{
			"go.mod":            "module candidate\n\ngo 1.21\n",
			"candidate.go":      t.Prompt + completion + "\n",
			"candidate_test.go": t.Test,
			goHarnessFile:       fmt.Sprintf(goHarness, pkg, sandbox.ReportFD, p.nonce),
		}
		for name := range files {
			p.sources = append(p.sources, filepath.Join(dir, name))
		}
		bin := sandbox.SrcDir + "/candidate.test"
		p.bin = filepath.Join(dir, "candidate.test")
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

// goTestPackage returns the package a Go task's test file declares, for the
// harness's TestMain beside it. A task whose test has its own TestMain cannot
// be scored this way, and says so rather than failing every candidate's build.
func goTestPackage(test string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "candidate_test.go", test, parser.SkipObjectResolution)
	if err != nil {
		return "", fmt.Errorf("parse the test: %w", err)
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "TestMain" {
			return "", fmt.Errorf("the test defines TestMain, which the harness needs for itself")
		}
	}
	return f.Name.Name, nil
}

// seal readies a built Go program for its run: the sources, which hold the
// nonce, are removed, and the binary (static, owned by root) becomes
// execute-only, so the candidate's user can neither read them nor it.
func (p *program) seal() error {
	for _, f := range p.sources {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return os.Chmod(p.bin, 0o711)
}

// toolchain is what the harness found on this machine to build and run
// candidates.
type toolchain struct {
	path    string   // PATH handed to candidates
	goBin   string   // absolute path of go, "" when absent
	goBuild []string // environment for trusted Go builds
	// goMounts show Go builds the toolchain (read-only) and the build
	// cache (writable), which the sandbox's private root lacks.
	goMounts []sandbox.Mount
}

// findToolchain looks up go once per evaluation (python3 is looked up in
// the sandbox, as the candidate's user). Go builds share the caller's build
// cache, mounted writable in the build's sandbox (never in a candidate's
// run), so each candidate compiles only its own package.
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
	if goBin, err = filepath.EvalSymlinks(goBin); err != nil {
		return tc, err
	}
	if err := os.MkdirAll(vals[0], 0o755); err != nil {
		return tc, fmt.Errorf("go build cache: %w", err)
	}
	tc.goBin = goBin
	tc.goMounts = []sandbox.Mount{{Path: filepath.Dir(goBin)}, {Path: filepath.Clean(vals[1])}, {Path: filepath.Clean(vals[0]), Writable: true}}
	tc.goBuild = []string{
		"PATH=" + tc.path, "GOCACHE=" + vals[0], "GOROOT=" + vals[1],
		"CGO_ENABLED=0", "GOTOOLCHAIN=local", "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=mod",
	}
	return tc, nil
}
