package server_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/codeloom/codeloom/server"
)

// TestNodeClients runs the optional npm checks in web/ (the official OpenAI
// Node client and Playwright over Chromium) against a live server. It needs
// node and `npm install` in server/web, which CI does not have: there the
// Go tests above cover the same routes and the page.
func TestNodeClients(t *testing.T) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm not installed: the OpenAI Node client check is optional")
	}
	if _, err := os.Stat("web/node_modules/openai"); err != nil {
		t.Skip("run `npm install` in server/web to check the official OpenAI Node client (optional)")
	}
	chromium(t)
	_, ts := start(t, server.Options{APIKeys: []string{"node-key"}})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "test")
	cmd.Dir = "web"
	cmd.Env = append(os.Environ(), "CODELOOM_URL="+ts.URL, "CODELOOM_API_KEY=node-key", "CODELOOM_MODEL=tiny")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm test: %v\n%s", err, out)
	}
}
