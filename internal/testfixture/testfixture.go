// Package testfixture finds real inputs for tests: the small models in
// ../shared/fixtures (beside a developer's or CI's checkout; a test skips
// with a clear message when that folder is absent, as in a user's
// checkout) and the Go toolchain's own sources.
package testfixture

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// GoRoot is the Go toolchain's root (go env GOROOT), whose src/ tests use
// as real code that is on every machine that builds codeloom.
func GoRoot(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	root := strings.TrimSpace(string(out))
	if err != nil || root == "" {
		tb.Fatalf("go env GOROOT: %v", err)
	}
	return root
}

// DirEnv names a folder of fixtures that replaces ../shared/fixtures: a
// test binary carried to another machine (scripts/gpu-check.sh) finds them
// there.
const DirEnv = "CODELOOM_FIXTURES"

// Path returns the path of fixtures/name, or skips the test.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	// This file is internal/testfixture/testfixture.go: three levels below
	// the checkout's parent, where shared/ lives.
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "fixtures", name)
	if dir := os.Getenv(DirEnv); dir != "" {
		p = filepath.Join(dir, name)
	}
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("fixture %s not found (../shared/fixtures is only beside a developer's or CI's checkout): %v", name, err)
	}
	return p
}
