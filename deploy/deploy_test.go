// Package deploy tests scripts/deploy_to_gpu.sh: its dry run and option
// checks, and a real deployment over SSH to this machine through an sshd
// that the test starts on a loopback port with keys it generates.
package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codeloom/codeloom/gguf"
)

var script = filepath.Join("..", "scripts", "deploy_to_gpu.sh")

// deploy runs the script and returns its combined output.
func deploy(t *testing.T, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	// Reading it also tells go test's cache that the results depend on it.
	if _, err := os.ReadFile(script); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "DEPLOY_SSH_PORT=", "DEPLOY_SSH_KEY=", "CODELOOM_API_KEY=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestDryRunPrintsEveryStep(t *testing.T) {
	// The host does not exist: a dry run must not try to reach it.
	out, err := deploy(t, time.Minute, "--dry-run", "-p", "2222", "--api-key", "s3cret-key", "--serve-port", "9000",
		"--models", "/srv/models", "ops@gpu.invalid")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	for _, want := range []string{
		"dry run: nothing on ops@gpu.invalid will change",
		"ssh -p 2222 -o BatchMode=yes",
		"would copy the deploy functions to ops@gpu.invalid:codeloom/.deploy-lib.sh",
		"check_host", "would send git archive HEAD", "unpack codeloom ",
		"build codeloom ", " auto",
		"write_env codeloom",
		"service_kind auto", "switch codeloom ", "install_systemd codeloom codeloom /srv/models 0.0.0.0 9000",
		"restart ", "health ", "codeloom 9000 120", "prune codeloom 3",
		"codeloom serves at http://gpu.invalid:9000/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q", want)
		}
	}
	if strings.Contains(out, "s3cret-key") {
		t.Errorf("dry run printed the API key:\n%s", out)
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestBadOptions(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "name the host"},
		{[]string{"h1", "h2"}, "one host only"},
		{[]string{"--cuda", "maybe", "h"}, "--cuda must be auto, yes or no"},
		{[]string{"--service", "cron", "h"}, "--service must be auto, systemd or background"},
		{[]string{"--serve-port", "http", "h"}, "--serve-port must be a number"},
		{[]string{"-i", "/nonexistent/key", "h"}, "SSH key /nonexistent/key is not readable"},
		{[]string{"--frobnicate", "h"}, "unknown option --frobnicate"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, err := deploy(t, time.Minute, tt.args...)
			if err == nil || !strings.Contains(out, tt.want) {
				t.Fatalf("deploy %q: err %v, output %q; want failure with %q", tt.args, err, out, tt.want)
			}
		})
	}
}

// TestDeployOverSSH deploys this checkout's HEAD to this machine over SSH,
// builds it there (no CUDA here: the CPU build with a warning), checks that
// the server answers /health and /generate with the API key, then upgrades
// in place and rolls back a release whose server does not start.
func TestDeployOverSSH(t *testing.T) {
	host := startSSHD(t)
	prefix := filepath.Join(t.TempDir(), "prefix")
	models := t.TempDir()
	if err := gguf.WriteTinyLlama(context.Background(), filepath.Join(models, "tiny.gguf"), gguf.TinyLlamaConfig{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	target := me.Username + "@127.0.0.1"
	const key = "deploy-test-key"
	base := []string{"-p", host.port, "-i", host.key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR", "--prefix", prefix, "--serve-port", port, "--bind", "127.0.0.1", "--health-timeout", "60"}
	t.Cleanup(func() { stopServer(prefix) })

	out, err := deploy(t, 20*time.Minute, append(base, "--copy-models", models, "--api-key", key, target)...)
	if err != nil {
		t.Fatalf("first deploy: %v\n%s", err, out)
	}
	// The test machine has no GPU: with or without a CUDA toolkit the
	// deploy builds for the CPU and says so.
	for _, want := range []string{"building for CPU only", "service: background", "codeloom serves at http://127.0.0.1:" + port + "/"} {
		if !strings.Contains(out, want) {
			t.Fatalf("first deploy output lacks %q:\n%s", want, out)
		}
	}
	url := "http://127.0.0.1:" + port
	checkServes(t, url, key)
	first := readlink(t, filepath.Join(prefix, "current"))
	realBinary := filepath.Join(prefix, "current", "bin", "codeloom")
	if env, err := os.ReadFile(filepath.Join(prefix, "codeloom.env")); err != nil || string(env) != "CODELOOM_API_KEYS="+key+"\n" {
		t.Fatalf("codeloom.env = %q, %v", env, err)
	}

	// An upgrade (a release whose build reuses the binary, to keep the test
	// short) replaces the running server and keeps the API key.
	pidBefore := serverPID(t, prefix)
	upgrade := sourceTarball(t, "upgrade", "cp "+realBinary+" bin/codeloom")
	if out, err := deploy(t, 5*time.Minute, append(base, "--tarball", upgrade, target)...); err != nil {
		t.Fatalf("upgrade: %v\n%s", err, out)
	}
	second := readlink(t, filepath.Join(prefix, "current"))
	if second == first || readlink(t, filepath.Join(prefix, "previous")) != first {
		t.Fatalf("after the upgrade current=%s previous=%s; want a new current and the first release as previous", second, first)
	}
	if serverPID(t, prefix) == pidBefore {
		t.Fatal("the upgrade did not restart the server")
	}
	checkServes(t, url, key)

	// A tarball that is not a codeloom source stops before anything changes.
	out, err = deploy(t, 5*time.Minute, append(base, "--tarball", sourceTarball(t, "junk", ""), target)...)
	if err == nil || !strings.Contains(out, "the source has no Makefile at its top") {
		t.Fatalf("junk tarball: err %v\n%s", err, out)
	}
	if cur := readlink(t, filepath.Join(prefix, "current")); cur != second {
		t.Fatalf("after a failed copy current=%s, want %s", cur, second)
	}

	// A release whose server dies at start is rolled back.
	broken := sourceTarball(t, "broken", `printf '#!/bin/sh\necho broken release >&2\nexit 3\n' > bin/codeloom && chmod +x bin/codeloom`)
	out, err = deploy(t, 5*time.Minute, append(base, "--tarball", broken, target)...)
	if err == nil || !strings.Contains(out, "rolled back: the previous release serves again") || !strings.Contains(out, "the server exited; last lines of") {
		t.Fatalf("broken release: err %v; want a rollback that shows the server's log:\n%s", err, out)
	}
	if cur := readlink(t, filepath.Join(prefix, "current")); cur != second {
		t.Fatalf("after the rollback current=%s, want %s", cur, second)
	}
	checkServes(t, url, key)
}

// checkServes asks the deployed server for /health (open) and /generate
// (with and without the key).
func checkServes(t *testing.T, url, key string) {
	t.Helper()
	resp, err := http.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/health: %s", resp.Status)
	}
	body := `{"prompt":"Once upon a time","max_tokens":4,"temperature":0}`
	for _, tc := range []struct {
		key  string
		want int
	}{{"", http.StatusUnauthorized}, {key, http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodPost, url+"/generate", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if tc.key != "" {
			req.Header.Set("Authorization", "Bearer "+tc.key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			GeneratedText string `json:"generated_text"`
			Usage         struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("/generate with key %q: %s, want %d", tc.key, resp.Status, tc.want)
		}
		if tc.want == http.StatusOK && (err != nil || out.Usage.CompletionTokens == 0) {
			t.Fatalf("/generate answered %+v (%v), want generated tokens", out, err)
		}
	}
}

// sourceTarball makes a stand-in source tree whose `make build` runs
// buildCmd (no Makefile when buildCmd is ""), so upgrade and rollback are
// tested without more full builds. The tree sits in a top folder named
// name, as release tarballs have it.
func sourceTarball(t *testing.T, name, buildCmd string) string {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file, text := "Makefile", "build:\n\tmkdir -p bin && "+buildCmd+"\n"
	if buildCmd == "" {
		file, text = "README", "not a codeloom source\n"
	}
	if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	tarball := filepath.Join(t.TempDir(), name+".tar.gz")
	if out, err := exec.Command("tar", "-C", parent, "-czf", tarball, name).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	return tarball
}

type sshHost struct {
	port string
	key  string // the client's private key
}

// startSSHD runs Debian's sshd on a loopback port, accepting a key made
// here for the current user, until the test ends. As root it needs
// /run/sshd (privilege separation); as another user it serves only that
// user, which is all the test asks of it.
func startSSHD(t *testing.T) sshHost {
	t.Helper()
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		sshd = "/usr/sbin/sshd"
	}
	if _, err := os.Stat(sshd); err != nil {
		t.Skip("sshd is not installed (apt-get install openssh-server; CI installs it)")
	}
	dir := t.TempDir()
	for _, k := range []string{"host_key", "client_key"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "client_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/sshd", 0o755) // privilege separation needs it
	}
	port := freePort(t)
	config := fmt.Sprintf(`Port %s
ListenAddress 127.0.0.1
HostKey %[2]s/host_key
AuthorizedKeysFile %[2]s/authorized_keys
PidFile %[2]s/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
`, port, dir)
	if err := os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cmd := exec.Command(sshd, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd did not listen on port %s:\n%s", port, log.String())
		}
	}
	return sshHost{port: port, key: filepath.Join(dir, "client_key")}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func serverPID(t *testing.T, prefix string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(prefix, "run", "codeloom.pid"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// stopServer ends the server the deployment started (by its pid file).
func stopServer(prefix string) {
	b, err := os.ReadFile(filepath.Join(prefix, "run", "codeloom.pid"))
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
		syscall.Kill(pid, syscall.SIGTERM)
	}
}

func readlink(t *testing.T, path string) string {
	t.Helper()
	s, err := os.Readlink(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
