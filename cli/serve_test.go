package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/internal/testfixture"
)

func TestServeCommand(t *testing.T) {
	store := t.TempDir()
	if err := os.Symlink(testfixture.Path(t, "stories260K.gguf"), filepath.Join(store, "tiny.gguf")); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // find a free port
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &out
	go func() {
		done <- app.RunContext(ctx, []string{"codeloom", "serve", "--addr", addr, "--models", store, "--preload", "tiny",
			"--api-key", "secret", "--threads", "1", "--ctx", "256", "--temperature", "0"})
	}()
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never became healthy: %v\n%s", err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	req, _ := http.NewRequest("POST", base+"/generate", strings.NewReader(`{"prompt":"Once upon a time","max_tokens":5}`))
	req.Header.Set("Authorization", "Bearer secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		GeneratedText string `json:"generated_text"`
		Usage         struct {
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&g)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || g.Usage.CompletionTokens != 5 {
		t.Fatalf("generate: %d %+v %v", resp.StatusCode, g, err)
	}
	if resp, err := http.Get(base + "/models"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("no auth on /models: %v", err)
	}
	cancel() // as Ctrl-C does
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "serving "+store) || !strings.Contains(out.String(), "shutting down") {
		t.Fatalf("output: %s", out.String())
	}
}

func TestServeUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"extra argument", []string{"serve", "model.gguf"}, "takes no arguments"},
		{"parallel zero", []string{"serve", "--parallel", "0"}, "--parallel 0"},
		{"queue zero", []string{"serve", "--queue", "0"}, "--queue 0"},
		{"negative keep-alive", []string{"serve", "--keep-alive", "-1s"}, "--keep-alive"},
		{"bad tensor split", []string{"serve", "--tensor-split", "a"}, "--tensor-split"},
		{"bad sampling", []string{"serve", "--top-p", "2"}, "top"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runCLI(tc.args...)
			if code != 2 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, output %q", code, out)
			}
		})
	}
	if code, out := runCLI("serve", "--addr", "256.0.0.1:1", "--models", t.TempDir()); code != 1 || !strings.Contains(out, "serve:") {
		t.Fatalf("bad address: exit %d %q", code, out)
	}
}

func TestServeListenAddr(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the address, or the start of the error
	}{
		{nil, "127.0.0.1:8000"},
		{[]string{"--port", "9001"}, "127.0.0.1:9001"},
		{[]string{"--host", "0.0.0.0"}, "0.0.0.0:8000"},
		{[]string{"--host", "::1", "--port", "80"}, "[::1]:80"},
		{[]string{"--addr", "10.0.0.1:81", "--port", "81"}, "10.0.0.1:81"},
		{[]string{"--addr", "10.0.0.1:81", "--port", "82"}, "--addr 10.0.0.1:81 conflicts with --host/--port (10.0.0.1:82)"},
		{[]string{"--port", "70000"}, "--port 70000: want 0 to 65535"},
		{[]string{"--addr", "nohost"}, `--addr "nohost": want HOST:PORT`},
	} {
		var got string
		cmd := serveCommand()
		cmd.Action = func(c *ucli.Context) error {
			addr, err := listenAddr(c)
			got = addr
			return err
		}
		app := &ucli.App{Commands: []*ucli.Command{cmd}, Writer: io.Discard, ErrWriter: io.Discard, ExitErrHandler: func(*ucli.Context, error) {}}
		if err := app.Run(append([]string{"codeloom", "serve"}, tc.args...)); err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v: got %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestServeFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--log-format", "xml", "--models", t.TempDir()},
		{"serve", "--addr", "127.0.0.1:1", "--host", "localhost"},
	} {
		if code, out := runCLI(args...); code != 2 || !strings.Contains(out, "--") {
			t.Errorf("%v: exit %d, %q; want a usage error", args, code, out)
		}
	}
}
