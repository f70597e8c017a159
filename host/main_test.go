package main

// Integration tests: the real host binary runs real labs with real plugin
// subprocesses on loopback. Every test checks that no process it started
// is left behind.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// guard bounds every wait; it is a failure guard, never a speed claim.
const guard = 90 * time.Second

// hostBinary builds the host once for all tests.
var hostBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "socklab-host-test")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "socklab")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building the host: %v\n%s", err, out)
	}
	return bin, nil
})

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// hostRun is one finished run of the host.
type hostRun struct {
	exit   int
	stdout string
	stderr string
	lines  []map[string]any // stdout parsed as JSON lines, with --json
}

// events returns the JSON events of one component and kind, in order.
func (r hostRun) events(component, kind string) []map[string]any {
	var evs []map[string]any
	for _, l := range r.lines {
		if l["component"] == component && l["kind"] == kind {
			evs = append(evs, l)
		}
	}
	return evs
}

// result returns the final result line's entry for a component.
func (r hostRun) result(t *testing.T, component string) map[string]any {
	t.Helper()
	for _, l := range r.lines {
		if l["kind"] != "result" {
			continue
		}
		for _, c := range l["components"].([]any) {
			if c := c.(map[string]any); c["component"] == component {
				return c
			}
		}
	}
	t.Fatalf("no result for %s in:\n%s", component, r.stdout)
	return nil
}

// host is a host process started by a test, with its own marker in the
// environment so that its plugins can be found in /proc.
type host struct {
	cmd    *exec.Cmd
	mark   string
	stdout *bytes.Buffer
	stderr *bytes.Buffer
	lines  chan map[string]any
	done   chan struct{}
}

// startHost writes lab as lab.hcl in a new directory and runs the host on
// it: `socklab run ARGS... lab.hcl`.
func startHost(t *testing.T, lab string, args ...string) *host {
	t.Helper()
	path := writeLab(t, lab)
	return startHostIn(t, "", nil, append(append([]string{"run"}, args...), path)...)
}

// startHostIn runs the host in dir (the test's directory when "") with
// args, its own marker and env in the environment.
func startHostIn(t *testing.T, dir string, env []string, args ...string) *host {
	t.Helper()
	return startHostVia(t, nil, dir, env, args...)
}

// startHostVia is startHostIn with the host run by a wrapper command
// (ip netns exec NAME).
func startHostVia(t *testing.T, wrapper []string, dir string, env []string, args ...string) *host {
	t.Helper()
	bin, err := hostBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(wrapper) > 0 {
		args = append(append(wrapper[1:len(wrapper):len(wrapper)], bin), args...)
		bin = wrapper[0]
	}
	h := &host{
		mark:   fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano()),
		stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{},
		lines: make(chan map[string]any, 100000), done: make(chan struct{}),
	}
	h.cmd = exec.Command(bin, args...)
	h.cmd.Dir = dir
	h.cmd.Env = append(append(os.Environ(), "SOCKLAB_TEST_MARK="+h.mark, "GOCACHE="+goCache(), "XDG_CACHE_HOME="+cacheDir(t)), env...)
	h.cmd.Stderr = h.stderr
	pipe, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(h.done)
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			h.stdout.Write(sc.Bytes())
			h.stdout.WriteByte('\n')
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				h.lines <- m
			}
		}
		close(h.lines)
	}()
	t.Cleanup(func() {
		_ = h.cmd.Process.Kill()
		assertNoProcessesLeft(t, h.mark)
	})
	return h
}

// goCache is Go's own build cache: tests that move XDG_CACHE_HOME keep it,
// or every plugin build would compile gRPC from scratch.
var goCache = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// cacheDir is shared by the tests so that Go plugins build once.
func cacheDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "socklab-test-cache")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// wait waits for the host to exit and collects what it wrote.
func (h *host) wait(t *testing.T) hostRun {
	t.Helper()
	exited := make(chan error, 1)
	go func() { <-h.done; exited <- h.cmd.Wait() }()
	var r hostRun
	select {
	case err := <-exited:
		r.exit = 0
		if ee, ok := err.(*exec.ExitError); ok {
			r.exit = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
	case <-time.After(guard):
		h.cmd.Process.Kill()
		t.Fatalf("host did not exit; stdout:\n%s\nstderr:\n%s", h.stdout, h.stderr)
	}
	for l := range h.lines {
		r.lines = append(r.lines, l)
	}
	r.stdout, r.stderr = h.stdout.String(), h.stderr.String()
	return r
}

// await reads events until one matches, or fails.
func (h *host) await(t *testing.T, match func(map[string]any) bool) {
	t.Helper()
	timeout := time.After(guard)
	for {
		select {
		case l, ok := <-h.lines:
			if !ok {
				t.Fatalf("host ended first; stderr:\n%s", h.stderr)
			}
			if match(l) {
				return
			}
		case <-timeout:
			t.Fatal("event never came")
		}
	}
}

func runHost(t *testing.T, lab string, args ...string) hostRun {
	t.Helper()
	return startHost(t, lab, append([]string{"--json"}, args...)...).wait(t)
}

// writeLab writes lab as lab.hcl in a new directory and returns its path.
func writeLab(t *testing.T, lab string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab.hcl")
	if err := os.WriteFile(path, []byte(lab), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// processesMarked lists the live processes whose environment holds mark.
func processesMarked(mark string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	needle := []byte("SOCKLAB_TEST_MARK=" + mark + "\x00")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(append(env, 0), needle) {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && bytes.Contains(stat, []byte(") Z ")) {
			continue // a zombie is gone, only not yet reaped
		}
		pids = append(pids, pid)
	}
	return pids
}

func assertNoProcessesLeft(t *testing.T, mark string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := processesMarked(mark)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				t.Errorf("process %d left behind: %s", pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
				syscall.Kill(pid, syscall.SIGKILL)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pingLab is a small lab: a ping server on a free port and a client.
func pingLab(server, client string, count int) string {
	return fmt.Sprintf(`
ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0.3
  %s
}

ping_client "client" {
  server  = ping_server.server.address
  count   = %d
  timeout = "300ms"
  %s
}
`, server, count, client)
}

func goPlugin(t *testing.T, dir string) string {
	return fmt.Sprintf("plugin {\n    go = %q\n  }", filepath.Join(repoRoot(t), dir))
}

func commandPlugin(argv ...string) string {
	q, _ := json.Marshal(argv)
	return fmt.Sprintf("plugin {\n    command = %s\n  }", q)
}

// buildExample builds one of the examples into a binary, as a student who
// hands in a prebuilt plugin would.
func buildExample(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(dir))
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join(repoRoot(t), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// TestRootLabRuns runs the repository's lab.hcl as `go run ./host` would.
func TestRootLabRuns(t *testing.T) {
	r := startHostIn(t, repoRoot(t), nil, "--json", "--seed", "11").wait(t)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	if sum := r.result(t, "client")["summary"].(map[string]any); sum["transmitted"] != float64(10) {
		t.Fatalf("client summary %v", sum)
	}
}

// seconds reads a duration of --json: a number of seconds.
func seconds(t *testing.T, v any) time.Duration {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("duration %#v, want a number of seconds", v)
	}
	return time.Duration(math.Round(f * float64(time.Second)))
}

// linkDir is one direction of a link's summary in --json.
type linkDir struct {
	Delivered      uint64 `json:"delivered"`
	DeliveredBytes uint64 `json:"delivered_bytes"`
	Dropped        uint64 `json:"dropped"`
	Resets         uint64 `json:"resets"`
}
