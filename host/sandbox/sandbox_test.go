package sandbox

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socklab/socklab/internal/tooltest"
)

// The test binary is its own supervisor: Command runs it with Subcommand.
func TestMain(m *testing.M) {
	if last := os.Getenv(lastPidEnv); last != "" && len(os.Args) > 1 {
		os.Exit(pidNamespaceInit(last, os.Args))
	}
	if len(os.Args) > 1 && os.Args[1] == Subcommand {
		os.Exit(Main(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// needSandbox skips where no sandbox can be made: not root (the grader
// drops to nobody), or no bubblewrap.
func needSandbox(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("the sandbox is tested as root, as a grading machine runs it")
	}
	tooltest.Need(t, "bwrap")
}

// run runs argv sandboxed as c and returns its output and verdict.
func run(t *testing.T, c Config, argv ...string) (string, *Verdict) {
	t.Helper()
	c.Verdict = filepath.Join(t.TempDir(), "verdict.json")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	line, err := Command(exe, c, argv)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(line[0], line[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run()
	v, err := ReadVerdict(c.Verdict)
	if err != nil {
		t.Fatalf("no verdict: %v; output:\n%s", err, out.String())
	}
	if v.Error != "" {
		t.Fatalf("the sandbox failed: %s; output:\n%s", v.Error, out.String())
	}
	return out.String(), v
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSandboxSeesOnlyItsCopy: a program sees a copy of its own directory
// and the system; not the instructor's files, not a classmate's, not the
// caller's environment; it runs as nobody without capabilities.
func TestSandboxSeesOnlyItsCopy(t *testing.T) {
	needSandbox(t)
	root := t.TempDir()
	student := filepath.Join(root, "class", "alice")
	classmate := filepath.Join(root, "class", "bob", "UDPPingerClient.py")
	secret := filepath.Join(root, "instructor", "solution.py")
	write(t, filepath.Join(student, "client.py"), "print('mine')\n")
	write(t, filepath.Join(student, "data", "notes.txt"), "notes\n")
	write(t, classmate, "print('bob')\n")
	write(t, secret, "SECRET\n")
	t.Setenv("GRADER_TOKEN", "hunter2")

	script := `
import os, sys
def attempt(name, f):
    try:
        r = f()
        print(name, "OK", r)
    except Exception as e:
        print(name, "DENIED", type(e).__name__)
attempt("own", lambda: open("client.py").read().strip())
attempt("sub", lambda: open("data/notes.txt").read().strip())
attempt("write-own", lambda: open("out.txt", "w").write("x"))
attempt("secret", lambda: open(sys.argv[1]).read())
attempt("classmate", lambda: open(sys.argv[2], "a").write("pwned"))
attempt("shadow", lambda: open("/etc/shadow").read())
print("env", os.environ.get("GRADER_TOKEN"))
print("uid", os.getuid(), os.geteuid())
print("pid", os.getpid())
print("status", [l for l in open("/proc/self/status") if l.startswith(("CapEff", "NoNewPrivs"))])
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def unshare():
    if libc.unshare(0x10000000 | 0x40000000) != 0:  # CLONE_NEWUSER | CLONE_NEWNET
        raise OSError(ctypes.get_errno(), "unshare")
attempt("unshare", unshare)
`
	out, v := run(t, Config{Limits: DefaultLimits, Copy: []string{student}, Dir: student},
		"/usr/bin/python3", "-c", script, secret, classmate)
	for _, want := range []string{"own OK print('mine')", "sub OK notes", "write-own OK 1", "secret DENIED FileNotFoundError",
		"classmate DENIED", "shadow DENIED", "env None", "uid 65534 65534", "CapEff:\\t0000000000000000", "NoNewPrivs:\\t1", "unshare DENIED"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in its output:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "pid 2\n") && !strings.Contains(out, "pid 1\n") {
		t.Errorf("want a PID of its own namespace (1 or 2):\n%s", out)
	}
	if v.ExitCode != 0 || v.Exceeded != "" {
		t.Errorf("verdict %+v, want exit 0 within limits", v)
	}
	if b, _ := os.ReadFile(classmate); string(b) != "print('bob')\n" {
		t.Errorf("the classmate's file became %q", b)
	}
	if _, err := os.Stat(filepath.Join(student, "out.txt")); err == nil {
		t.Errorf("what it wrote in its copy reached the student's directory")
	}
}

// TestSandboxLimits: each limit stops a program that exceeds it, with a
// verdict naming that limit; a program within them is left alone.
func TestSandboxLimits(t *testing.T) {
	needSandbox(t)
	tests := []struct {
		name   string
		limits Limits
		script string
		want   string
	}{
		{"within", Limits{Memory: 64 << 20, Procs: 16, CPUTime: 5 * time.Second, FileSize: 1 << 20, Output: 1 << 20},
			"print('hello')", ""},
		{"memory hog", Limits{Memory: 64 << 20},
			"b = []\nwhile True: b.append(bytearray(8 << 20))", LimitMemory},
		{"fork bomb", Limits{Procs: 16},
			"import os, time\nfor i in range(200):\n    try:\n        if os.fork() == 0:\n            time.sleep(30)\n    except OSError:\n        pass\ntime.sleep(30)", LimitProcs},
		{"spinner", Limits{CPUTime: 500 * time.Millisecond},
			"while True: pass", LimitCPU},
		{"disk filler", Limits{FileSize: 1 << 20},
			"f = open('/tmp/big', 'wb')\nwhile True: f.write(b'x' * 65536); f.flush()", LimitFileSize},
		{"output flood", Limits{Output: 64 << 10},
			"while True: print('spam' * 100)", LimitOutput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			out, v := run(t, Config{Limits: tt.limits}, "/usr/bin/python3", "-c", tt.script)
			if v.Exceeded != tt.want {
				t.Fatalf("verdict %+v, want the %q limit exceeded; output:\n%.2000s", v, tt.want, out)
			}
			if tt.want != "" && !strings.Contains(out, "sandbox: exceeded the ") {
				t.Errorf("the output does not say which limit:\n%.2000s", lastBytes(out, 500))
			}
			if tt.want == LimitOutput && len(out) > int(tt.limits.Output)+200 {
				t.Errorf("%d bytes of output passed a %d byte limit", len(out), tt.limits.Output)
			}
			t.Logf("%s: %s in %s (%+v)", tt.name, v.Message, time.Since(start).Round(time.Millisecond), v)
		})
	}
}

func lastBytes(s string, n int) string { return s[max(0, len(s)-n):] }

// TestSandboxLeavesNothing: what a program starts, even in a new session,
// ends with it.
func TestSandboxLeavesNothing(t *testing.T) {
	needSandbox(t)
	marker := "leftover-" + strconv.Itoa(os.Getpid())
	script := "import subprocess\nsubprocess.Popen(['setsid', 'sh', '-c', 'exec -a " + marker + " sleep 60'])\nprint('started')"
	out, v := run(t, Config{Limits: DefaultLimits}, "/usr/bin/python3", "-c", script)
	if !strings.Contains(out, "started") || v.ExitCode != 0 {
		t.Fatalf("exit %d, output:\n%s", v.ExitCode, out)
	}
	if left := processesNamed(marker); len(left) > 0 {
		t.Errorf("processes %v are left running", left)
	}
}

// processesNamed scans /proc for processes whose command line has name.
func processesNamed(name string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && bytes.Contains(b, []byte(name)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestSandboxNetwork: without the caller's network namespace the program
// reaches nothing, not even the host's loopback; with it, it does.
func TestSandboxNetwork(t *testing.T) {
	needSandbox(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback here:", err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("hello from the host\n"))
			c.Close()
		}
	}()
	script := "import socket, sys\ntry:\n    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=2)\n    print('got', s.recv(100))\nexcept OSError as e:\n    print('refused', e)"
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	out, _ := run(t, Config{}, "/usr/bin/python3", "-c", script, port)
	if !strings.Contains(out, "refused") {
		t.Errorf("with a network of its own it reached the host:\n%s", out)
	}
	out, _ = run(t, Config{Network: true}, "/usr/bin/python3", "-c", script, port)
	if !strings.Contains(out, "hello from the host") {
		t.Errorf("sharing the caller's network it reached nothing:\n%s", out)
	}
}

// TestSandboxCannotSignalOutside: the program cannot kill the process
// that started it, nor any other outside its sandbox.
func TestSandboxCannotSignalOutside(t *testing.T) {
	needSandbox(t)
	victim := exec.Command("sleep", "30")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	defer victim.Process.Kill()
	script := "import os, signal, sys\nfor pid in (os.getppid(), int(sys.argv[1]), int(sys.argv[2])):\n    try:\n        os.kill(pid, signal.SIGKILL); print('killed', pid)\n    except OSError as e:\n        print('cannot', pid, e.errno)"
	out, v := run(t, Config{}, "/usr/bin/python3", "-c", script, strconv.Itoa(os.Getpid()), strconv.Itoa(victim.Process.Pid))
	if strings.Contains(out, "killed "+strconv.Itoa(os.Getpid())) || strings.Contains(out, "killed "+strconv.Itoa(victim.Process.Pid)) {
		t.Errorf("it signalled outside its sandbox:\n%s", out)
	}
	if err := syscall.Kill(victim.Process.Pid, 0); err != nil {
		t.Errorf("the victim died: %v", err)
	}
	if v.ExitCode != 0 {
		t.Errorf("exit %d:\n%s", v.ExitCode, out)
	}
}
