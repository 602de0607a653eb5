// Package testfixture finds the small real models in ../shared/fixtures
// (beside a developer's or CI's checkout) for tests, and skips a test with
// a clear message when that folder is absent, as in a user's checkout.
package testfixture

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Path returns the path of fixtures/name, or skips the test.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	// This file is internal/testfixture/testfixture.go: three levels below
	// the checkout's parent, where shared/ lives.
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "fixtures", name)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("fixture %s not found (../shared/fixtures is only beside a developer's or CI's checkout): %v", name, err)
	}
	return p
}
