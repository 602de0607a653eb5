package sandbox

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestRunSharesNothing tries, as a candidate would, to leave files on the
// host and to read the host's files. Every write must fail or stay inside
// the run, and every read of a host file outside the interpreter's folders
// must fail; the host is checked afterwards.
func TestRunSharesNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	_, thisFile, _, _ := runtime.Caller(0)
	goMod, err := filepath.Abs(filepath.Join(filepath.Dir(thisFile), "..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// A host folder anyone may write to and a secret anyone may read: only
	// the sandbox stands between the candidate and them.
	hostDir := t.TempDir()
	if err := os.Chmod(hostDir, 0o777); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(hostDir, "secret.txt")
	if err := os.WriteFile(secret, []byte("host secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	name := "codeloom-escape-" + filepath.Base(hostDir)
	// A descriptor the test holds without close-on-exec, as a careless
	// parent process might pass one on.
	leaked, err := syscall.Open(secret, syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(leaked)
	writes := []string{
		"/run/lock/" + name,
		"/tmp/" + name, // the sandbox's own /tmp: allowed, but must not reach the host's
		"/var/tmp/" + name,
		"/dev/shm/" + name,
		"/work/" + name,
		filepath.Join(filepath.Dir(goMod), name),
		filepath.Join(hostDir, name),
		"/" + name,
		"/etc/" + name,
		"/usr/" + name,
	}
	reads := []string{secret, goMod, thisFile, "/etc/passwd", "/etc/hostname", "/root", "/home", "/work", "/var", "/run", "/sys/kernel", "/dev/vda", "/dev/kvm"}
	var code strings.Builder
	code.WriteString("import os\n")
	for _, p := range writes {
		code.WriteString("try:\n    open(" + pyStr(p) + ", 'w').write('escaped')\n    print('WROTE', " + pyStr(p) + ")\nexcept OSError as e:\n    print('nowrite', e)\n")
	}
	for _, p := range reads {
		code.WriteString("try:\n    x = os.listdir(" + pyStr(p) + ") if os.path.isdir(" + pyStr(p) + ") else open(" + pyStr(p) + ", 'rb').read(64)\n    print('READ', " + pyStr(p) + ", x)\nexcept OSError as e:\n    print('noread', e)\n")
	}
	// The view from inside: what / holds, which descriptors are open
	// (fd 3 is listdir's own), and what the program may still do as root.
	code.WriteString("print('ROOT', sorted(os.listdir('/')))\n")
	code.WriteString("print('FDS', sorted(os.listdir('/proc/self/fd'), key=int))\n")
	code.WriteString("print([l for l in open('/proc/self/status') if l.startswith('CapEff')][0], end='')\n")
	for _, uid := range []int{testUID, 0} {
		res, err := Run(context.Background(), Spec{Argv: py(code.String()), Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
			UID: uid, GID: uid, Limits: tight, MaxOutput: 1 << 16})
		if err != nil {
			t.Fatal(err)
		}
		out := string(res.Output)
		if !res.OK() {
			t.Fatalf("uid %d: the probe itself failed (exit %d):\n%s", uid, res.ExitCode, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "READ ") {
				t.Errorf("uid %d read a host path: %.200s", uid, line)
			}
			if strings.HasPrefix(line, "WROTE ") && !strings.HasPrefix(line, "WROTE /tmp/") && !strings.HasPrefix(line, "WROTE /dev/shm/") {
				t.Errorf("uid %d wrote outside its scratch space: %s", uid, line)
			}
		}
		for _, forbidden := range []string{"'root'", "'home'", "'work'", "'run'", "'var'", "'sys'"} {
			if root := line(out, "ROOT "); strings.Contains(root, forbidden) {
				t.Errorf("uid %d: / shows %s: %s", uid, forbidden, root)
			}
		}
		// 0-2 are stdio, 3-4 SecretFD and ReportFD, 5 listdir's own: the
		// test process's other descriptors (this one, say) must not reach it.
		if fds := line(out, "FDS "); fds != "FDS ['0', '1', '2', '3', '4', '5']" {
			t.Errorf("uid %d: open descriptors %s, want stdio, the secret, the report and listdir's", uid, fds)
		}
		if capEff := line(out, "CapEff:"); capEff != "CapEff:\t0000000000000000" {
			t.Errorf("uid %d: capabilities %q, want none", uid, capEff)
		}
		for _, p := range writes {
			if _, err := os.Lstat(p); err == nil {
				os.Remove(p)
				t.Errorf("uid %d: %s appeared on the host", uid, p)
			}
		}
	}
}

func line(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// pyStr quotes s as a Python string literal (the paths here hold no quotes).
func pyStr(s string) string { return "'" + s + "'" }

// TestRunReport checks the channel a harness uses to learn that a program
// ran to its end: the secret arrives on SecretFD, and what the program
// writes to ReportFD comes back in Result.Report, whatever it printed.
func TestRunReport(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the sandbox needs root; run the tests as root (as CI does)")
	}
	code := "import os, sys\ns = os.read(3, 100)\nprint('x' * 10000)\nos.write(4, s[::-1])\n"
	res, err := Run(context.Background(), Spec{Argv: py(code), Env: []string{"PATH=/usr/bin:/bin"}, UID: testUID, GID: testUID,
		Limits: tight, MaxOutput: 100, Secret: []byte("abc123")})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || !bytes.Equal(res.Report, []byte("321cba")) {
		t.Errorf("report %q (exit %d), want %q:\n%s", res.Report, res.ExitCode, "321cba", res.Output)
	}
}
