package main

// The hostile corpus (testdata/hostile): plugins and plain programs that
// send what a broken or malicious component would. Each lab must end the
// way the host promises: the bad event named, the component failed with a
// reason or its output shown escaped, and no process left behind (checked
// in cleanup).

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostilePlugin is the plugin block of the hostile ping client in mode.
func hostilePlugin(t *testing.T, mode string, env ...string) string {
	vars := []string{fmt.Sprintf("HOSTILE_MODE = %q", mode)}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		vars = append(vars, fmt.Sprintf("%s = %q", k, v))
	}
	return fmt.Sprintf("plugin {\n    go = %q\n    env = { %s }\n  }", filepath.Join(repoRoot(t), "host/testdata/hostile/plugin"), strings.Join(vars, ", "))
}

// warnings returns the host's warnings about component.
func (r hostRun) warnings(component string) string {
	var b strings.Builder
	for _, l := range r.lines {
		if l["component"] == component && l["level"] == "warn" && l["kind"] == nil {
			fmt.Fprintln(&b, l["message"])
		}
	}
	return b.String()
}

// noEscapes fails if a byte that drives a terminal reached the output.
func noEscapes(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexAny(out, "\x1b\x07\x00\r"); i >= 0 {
		t.Errorf("%s holds a control byte %q: ...%q...", what, out[i], out[max(0, i-60):min(len(out), i+60)])
	}
}

func TestHostileComponents(t *testing.T) {
	tests := []struct {
		mode  string
		exit  int
		error []string // in the client's error
		warn  []string // in the host's warnings about the client
	}{
		{"utf8", 0, nil, []string{`its "log" event's field log.message was not valid UTF-8`, `GET /\xff\xfe0 \x1b]0;owned`,
			"3 strings in all were not valid UTF-8 (log log.message)"}},
		{"malformed", 1, []string{"sent a malformed message on its Run stream", "event 1 of a batch is cut short"}, nil},
		{"oversized", 1, []string{"sent a message larger than the host accepts", "4194304"}, nil},
		{"dates", 0, nil, []string{`its "log" event is dated`, "in the future", "shown at the time it was received",
			"2 of its events were dated outside the run"}},
		{"two-summaries", 1, []string{"sent a second Summary event"}, nil},
		{"negative", 1, []string{`sent a "summary" event whose summary.loss_percent is -5, negative`}, nil},
		{"empty", 1, []string{"sent an empty event"}, nil},
		{"setsid", 0, nil, nil}, // its children are gone (cleanup)
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			r := runHost(t, pingLab("", hostilePlugin(t, tt.mode), 3))
			if r.exit != tt.exit {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.exit, tt.exit, r.stdout, r.stderr)
			}
			msg, _ := r.result(t, "client")["error"].(string)
			for _, w := range tt.error {
				if !strings.Contains(msg, w) {
					t.Errorf("client's error lacks %q:\n%s", w, msg)
				}
			}
			warned := r.warnings("client")
			for _, w := range tt.warn {
				if !strings.Contains(warned, w) {
					t.Errorf("warnings lack %q:\n%s", w, warned)
				}
			}
			if strings.Contains(msg+warned, "lost the plugin") {
				t.Errorf("a plugin that is alive was reported lost: %s", msg)
			}
			noEscapes(t, "output", r.stdout+r.stderr)
		})
	}
	t.Run("console", func(t *testing.T) {
		r := startHost(t, pingLab("", hostilePlugin(t, "utf8"), 3)).wait(t)
		if r.exit != 0 {
			t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
		}
		noEscapes(t, "console", r.stdout+r.stderr)
		for _, w := range []string{`GET /\xff\xfe2 \x1b]0;owned\x07\x1b[2J`, `stderr: \x1b[2Jstderr escapes \x1b]0;title\x07`} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("console lacks %s:\n%s", w, r.stdout)
			}
		}
		if bytes.Contains([]byte(r.stdout), []byte{0xff}) {
			t.Error("console holds invalid UTF-8")
		}
	})
}

// hostileServer is the plugin block of the hostile plain ping server.
func hostileServer(t *testing.T, port int, args ...string) string {
	block := programPlugin(port, debianPython, filepath.Join(repoRoot(t), "host/testdata/hostile/programs/server.py"))
	extra := ""
	for _, a := range args {
		extra += fmt.Sprintf(", %q", a)
	}
	return strings.Replace(block, `"{port}"]`, `"{port}"`+extra+"]", 1)
}

// TestHostilePlainPrograms: plain programs that leave processes behind,
// ignore SIGTERM, flood, print a line without end or print escapes.
func TestHostilePlainPrograms(t *testing.T) {
	requireDebianPython(t)
	tests := []struct {
		name   string
		args   []string
		exit   int
		error  string // in the server's error
		stdout []string
	}{
		{"orphans", []string{"orphans"}, 0, "", nil},
		{"deaf", []string{"deaf"}, 1, "did not end within 3s of SIGTERM", nil},
		{"escapes", []string{"escapes"}, 0, "", []string{`stdout: \x1b[2J\x1b]0;owned\x07cleared \xff\xfe\x00null`, `stderr: \x1b[31mred on stderr\x1b[0m`}},
		{"long line", []string{"longline", "40"}, 0, "", []string{"more bytes cut)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := freePort(t, "udp")
			r := startHost(t, pingLab(hostileServer(t, port, tt.args...), "", 3)).wait(t)
			if r.exit != tt.exit {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.exit, tt.exit, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.error) {
				t.Errorf("no %q in:\n%s", tt.error, r.stdout)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("console lacks %s:\n%.3000s", w, r.stdout)
				}
			}
			noEscapes(t, "console", r.stdout+r.stderr)
			if len(r.stdout) > 1<<20 {
				t.Errorf("console got %d bytes", len(r.stdout))
			}
		})
	}
}

// TestHostKilledTakesEveryProcess kills the host with SIGKILL while a
// plain server and a plugin have each left processes in sessions of their
// own: none may survive it (checked in cleanup).
func TestHostKilledTakesEveryProcess(t *testing.T) {
	requireDebianPython(t)
	// Each way of containing: a PID namespace, one in a user namespace,
	// and a child subreaper where namespaces are not allowed.
	for _, mode := range []string{"pid", "user", "subreaper"} {
		t.Run(mode, func(t *testing.T) {
			port := freePort(t, "udp")
			lab := fmt.Sprintf(`
ping_server "server" {
  %s
}
ping_client "client" {
  server = ping_server.server.address
  %s
}
`, hostileServer(t, port, "orphans"), hostilePlugin(t, "setsid", "HOSTILE_SECONDS=60"))
			h := startHostIn(t, "", []string{"SOCKLAB_CONTAIN=" + mode}, "run", "--json", writeLab(t, lab))
			h.await(t, func(l map[string]any) bool { return l["component"] == "server" && l["kind"] == "ready" })
			// The plugin's children and the server's grandchildren are running.
			deadline := time.Now().Add(guard)
			for len(processesMarked(h.mark)) < 10 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if n := len(processesMarked(h.mark)); n < 10 {
				t.Fatalf("%d processes before the kill", n)
			}
			if err := h.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			assertNoProcessesLeft(t, h.mark)
		})
	}
}

// TestStaleSocketDirsAreRemoved: a killed host leaves its plugins' socket
// directory; the next run removes it, and its own at its end.
func TestStaleSocketDirsAreRemoved(t *testing.T) {
	tmp := t.TempDir()
	env := []string{"TMPDIR=" + tmp}
	root := filepath.Join(tmp, fmt.Sprintf("socklab-%d", os.Getuid()))
	lab := writeLab(t, pingLab("", goPlugin(t, "examples/ping-client"), 1000))
	h := startHostIn(t, "", env, "run", "--json", lab)
	h.await(t, func(l map[string]any) bool { return l["component"] == "client" && l["kind"] == "sent" })
	dirs, _ := filepath.Glob(filepath.Join(root, "run-*"))
	if len(dirs) != 1 {
		t.Fatalf("socket directories %v", dirs)
	}
	sockets, _ := os.ReadDir(dirs[0])
	if len(sockets) < 2 { // the lock and at least one plugin's socket
		t.Errorf("%s holds %v", dirs[0], sockets)
	}
	h.cmd.Process.Kill()
	h.wait(t)
	assertNoProcessesLeft(t, h.mark)
	if _, err := os.Stat(dirs[0]); err != nil {
		t.Fatalf("the killed run's directory: %v", err)
	}
	r := startHostIn(t, "", env, "run", "--json", writeLab(t, pingLab("", "", 2))).wait(t)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "run-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// peakMemory polls a process's VmHWM (its peak resident memory) until it
// ends; the result is read from the returned function after that.
func peakMemory(pid int) func() int {
	var mu sync.Mutex
	peak := 0
	go func() {
		for {
			status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			if err != nil || bytes.Contains(status, []byte("State:\tZ")) {
				return
			}
			for _, line := range strings.Split(string(status), "\n") {
				if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")))
					mu.Lock()
					peak = max(peak, n<<10)
					mu.Unlock()
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// maxHostMemory is what a host running a flooding component may reach:
// some 25 MiB of its own and about 13 MiB per component (the bounds in
// README.md), with room to spare; unbounded, a flood of a few seconds
// took hundreds of MiB.
const maxHostMemory = 128 << 20

// TestFloodsStayBounded: a plugin that sends events, and a plain program
// that prints, as fast as they can for three seconds leave the host's peak
// memory under maxHostMemory, and the console says how much it suppressed.
func TestFloodsStayBounded(t *testing.T) {
	requireDebianPython(t)
	port := freePort(t, "udp")
	labs := map[string]string{
		"events": pingLab("", hostilePlugin(t, "flood", "HOSTILE_SECONDS=3"), 3),
		"stdout": pingLab(hostileServer(t, port, "flood", "3"), "", 5),
		"line":   pingLab(hostileServer(t, port, "longline", "200"), "", 3),
	}
	for name, lab := range labs {
		t.Run(name, func(t *testing.T) {
			h := startHost(t, lab)
			peak := peakMemory(h.cmd.Process.Pid)
			r := h.wait(t)
			if r.exit != 0 {
				t.Fatalf("exit %d\n%.2000s\n%s", r.exit, r.stdout, r.stderr)
			}
			t.Logf("host's peak memory %.1f MiB", float64(peak())/(1<<20))
			if peak() > maxHostMemory {
				t.Errorf("host's peak memory %d MiB, over %d MiB", peak()>>20, maxHostMemory>>20)
			}
			if name != "line" && !strings.Contains(r.stdout, "events and lines suppressed") {
				t.Errorf("no count of what was suppressed")
			}
		})
	}
}
