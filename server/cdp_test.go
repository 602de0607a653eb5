package server_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// browser is headless Chromium driven over the DevTools protocol: enough of
// it to open a page, evaluate JavaScript and take screenshots, in real time
// (no virtual clock racing the page's streamed fetches).
type browser struct {
	port string // of the DevTools HTTP and websocket endpoints
}

var devtoolsRE = regexp.MustCompile(`DevTools listening on ws://127\.0\.0\.1:(\d+)/`)

func startBrowser(t *testing.T) *browser {
	t.Helper()
	bin := chromium(t)
	// Not t.TempDir: Chromium's helper processes may still be writing
	// their profile for a moment after the browser is killed.
	profile, err := os.MkdirTemp("", "codeloom-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir="+profile,
		"--window-size=1280,1000", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // to stop its helper processes with it
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &browser{}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("profile %s left behind", profile)
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devtoolsRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case b.port = <-found:
	case <-time.After(60 * time.Second):
		t.Fatal("Chromium did not open its DevTools port")
	}
	return b
}

// tab is one page of the browser with its DevTools connection.
type tab struct {
	t  *testing.T
	ws *websocket.Conn
	id int
}

// open makes a new tab at url.
func (b *browser) open(t *testing.T, url string) *tab {
	t.Helper()
	var target struct{ TargetID string }
	bt := b.browserTab(t)
	bt.call("Target.createTarget", map[string]any{"url": url}, &target)
	bt.ws.Close()
	page, err := websocket.Dial(fmt.Sprintf("ws://127.0.0.1:%s/devtools/page/%s", b.port, target.TargetID), "", "http://127.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { page.Close() })
	return &tab{t: t, ws: page}
}

// browserTab connects to the browser target itself.
func (b *browser) browserTab(t *testing.T) *tab {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%s/json/version", b.port))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var version struct {
		WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&version); err != nil {
		t.Fatal(err)
	}
	ws, err := websocket.Dial(version.WebSocketDebuggerURL, "", "http://127.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	return &tab{t: t, ws: ws}
}

// call sends one DevTools command and decodes its result, skipping events.
func (tb *tab) call(method string, params any, result any) {
	tb.t.Helper()
	tb.id++
	if err := websocket.JSON.Send(tb.ws, map[string]any{"id": tb.id, "method": method, "params": params}); err != nil {
		tb.t.Fatalf("%s: %v", method, err)
	}
	for {
		var msg struct {
			ID     int
			Result json.RawMessage
			Error  *struct{ Message string }
		}
		if err := websocket.JSON.Receive(tb.ws, &msg); err != nil {
			tb.t.Fatalf("%s: %v", method, err)
		}
		if msg.ID != tb.id {
			continue
		}
		if msg.Error != nil {
			tb.t.Fatalf("%s: %s", method, msg.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(msg.Result, result); err != nil {
				tb.t.Fatalf("%s: %v", method, err)
			}
		}
		return
	}
}

// eval evaluates a JavaScript expression and returns its value as a string.
func (tb *tab) eval(expr string) string {
	tb.t.Helper()
	var r struct {
		Result struct{ Value any }
	}
	tb.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r)
	if r.Result.Value == nil {
		return ""
	}
	return fmt.Sprint(r.Result.Value)
}

// waitFor polls expr until it yields one of values and returns it.
func (tb *tab) waitFor(expr string, values ...string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		v := tb.eval(expr)
		for _, want := range values {
			if v == want {
				return v
			}
		}
		select {
		case <-ctx.Done():
			tb.t.Fatalf("%s stayed %q, want one of %v", expr, v, values)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// screenshot saves the tab as PNG.
func (tb *tab) screenshot(path string) {
	tb.t.Helper()
	var r struct{ Data string }
	tb.call("Page.captureScreenshot", map[string]any{"format": "png"}, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
