package main

// Tests of plugins written in Python with plugins/python/socklab: its unit
// tests, its generated code, the examples of examples/python run through
// the host against the Go references (and the references against them),
// and broken Python plugins. They need Debian's python3-grpcio and
// python3-protobuf, and skip without them (see internal/tooltest).

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socklab/socklab/internal/tooltest"
)

// pythonInterpreter is Debian's, the one with python3-grpcio: a python3
// first on PATH may be another build without it.
const pythonInterpreter = tooltest.DebianPython

// requirePython skips (or, in CI, fails) a test without Debian's Python
// grpc and protobuf.
func requirePython(t *testing.T) {
	t.Helper()
	tooltest.Need(t, "python3-grpcio")
}

// pythonEnv is what a Python plugin or test needs in its environment: the
// socklab package on its path, and no bytecode files in the tree.
func pythonEnv(t *testing.T) []string {
	return []string{"PYTHONPATH=" + filepath.Join(repoRoot(t), "plugins/python"), "PYTHONDONTWRITEBYTECODE=1"}
}

// TestPythonUnit runs the unit tests of the socklab Python package.
func TestPythonUnit(t *testing.T) {
	requirePython(t)
	cmd := exec.Command(pythonInterpreter, "-m", "unittest", "discover", "-s", "tests")
	cmd.Dir = filepath.Join(repoRoot(t), "plugins/python")
	cmd.Env = append(os.Environ(), pythonEnv(t)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python unit tests: %v\n%s", err, out)
	}
}

// TestPythonGeneratedCodeIsCurrent regenerates the Python code of proto/
// into a temporary directory and compares it with the committed code.
func TestPythonGeneratedCodeIsCurrent(t *testing.T) {
	tooltest.Need(t, "protoc")
	root := repoRoot(t)
	fresh := t.TempDir()
	if out, err := exec.Command("sh", filepath.Join(root, "proto/gen.sh"), "python", fresh).CombinedOutput(); err != nil {
		t.Fatalf("proto/gen.sh python: %v\n%s", err, out)
	}
	for _, dir := range []string{"socklab/v1", "socklab/goplugin"} {
		committed := pythonGenerated(t, filepath.Join(root, "plugins/python", dir))
		regenerated := pythonGenerated(t, filepath.Join(fresh, dir))
		for name, want := range regenerated {
			if got, ok := committed[name]; !ok || !bytes.Equal(got, want) {
				t.Errorf("plugins/python/%s/%s is missing or stale: run go generate ./proto/...", dir, name)
			}
		}
		for name := range committed {
			if _, ok := regenerated[name]; !ok {
				t.Errorf("plugins/python/%s/%s is generated from no .proto file: remove it", dir, name)
			}
		}
	}
}

// pythonGenerated reads the *_pb2.py files of dir.
func pythonGenerated(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*_pb2.py"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no generated Python code in %s (%v)", dir, err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

// runPythonExample runs a lab file of examples/python as it stands, on
// free ports, and requires it to succeed.
func runPythonExample(t *testing.T, lab string, args ...string) hostRun {
	t.Helper()
	requirePython(t)
	argv := append([]string{"run", "--json", "--var", "port=0", "--var", "python=" + pythonInterpreter}, args...)
	r := startHostIn(t, filepath.Join(repoRoot(t), "examples/python"), pythonEnv(t), append(argv, lab)...).wait(t)
	if r.exit != 0 {
		t.Fatalf("%s: exit %d\n%s\n%s", lab, r.exit, r.stdout, r.stderr)
	}
	return r
}

// runPythonLab runs lab, whose Python plugins find socklab on PYTHONPATH.
func runPythonLab(t *testing.T, lab string, args ...string) hostRun {
	t.Helper()
	requirePython(t)
	return startHostIn(t, "", pythonEnv(t), append(append([]string{"run", "--json"}, args...), writeLab(t, lab))...).wait(t)
}

// pythonPlugin names a Python script of the repository as a plugin.
func pythonPlugin(t *testing.T, script string) string {
	return commandPlugin(pythonInterpreter, filepath.Join(repoRoot(t), script))
}

// pythonField is a field of an event's body as text, "" if left out.
func pythonField(ev map[string]any, name string) string {
	v, ok := ev["event"].(map[string]any)[name]
	if !ok {
		return ""
	}
	return fmt.Sprint(v)
}

// pythonNumber is a number field of a message as text.
func pythonNumber(m map[string]any, name string) string {
	if f, ok := m[name].(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(m[name])
}

// pythonTime is when an event happened, as its plugin stamped it.
func pythonTime(t *testing.T, ev map[string]any) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, ev["time"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// pingSeqs reads the seq of each event from its message, e.g.
// `drop "Ping 3 1764147583.123456" from ...` with format `drop "Ping %d`.
func pingSeqs(t *testing.T, evs []map[string]any, format string) map[int]map[string]any {
	t.Helper()
	seqs := map[int]map[string]any{}
	for _, ev := range evs {
		var seq int
		if _, err := fmt.Sscanf(ev["message"].(string), format, &seq); err != nil {
			t.Fatalf("%q does not read as %q: %v", ev["message"], format, err)
		}
		seqs[seq] = ev
	}
	return seqs
}

func sortedSeqs[V any](m map[int]V) []int {
	return slices.Sorted(maps.Keys(m))
}

func pythonSeq(ev map[string]any) int {
	seq, _ := strconv.Atoi(pythonField(ev, "seq"))
	return seq
}

// pythonPingExchange reads the ten pings of a run, by seq: the server's
// Drop and Echo events. The client must have timed out on exactly the
// dropped ones.
func pythonPingExchange(t *testing.T, r hostRun, server, client string) (dropped, echoed map[int]map[string]any) {
	t.Helper()
	dropped = pingSeqs(t, r.events(server, "drop"), `drop "Ping %d`)
	echoed = pingSeqs(t, r.events(server, "echo"), `echo "PING %d`)
	timedOut := map[int]bool{}
	for _, ev := range r.events(client, "timeout") {
		timedOut[pythonSeq(ev)] = true
	}
	if len(dropped) == 0 || len(echoed) == 0 || len(dropped)+len(echoed) != 10 || !slices.Equal(sortedSeqs(dropped), sortedSeqs(timedOut)) {
		t.Fatalf("server dropped %v and echoed %v, client timed out %v", sortedSeqs(dropped), sortedSeqs(echoed), sortedSeqs(timedOut))
	}
	return dropped, echoed
}

// TestPythonPingClientAgainstReference runs examples/python/ping-client.hcl:
// the Python client's timeouts are exactly the reference server's drops,
// its summary adds up, its prints show under its name, and its events are
// stamped when they happened: a ping is sent before the server echoes it,
// and its reply comes at least an RTT later.
func TestPythonPingClientAgainstReference(t *testing.T) {
	r := runPythonExample(t, "ping-client.hcl", "--seed", "1234")
	dropped, echoed := pythonPingExchange(t, r, "reference", "student")
	sent := map[int]time.Time{}
	for _, ev := range r.events("student", "sent") {
		sent[pythonSeq(ev)] = pythonTime(t, ev)
	}
	replies := r.events("student", "reply")
	for _, ev := range replies {
		seq := pythonSeq(ev)
		echo, ok := echoed[seq]
		if !ok {
			t.Fatalf("reply to ping %d, which the server did not echo", seq)
		}
		rtt := seconds(t, ev["event"].(map[string]any)["rtt_s"])
		if s, e, rep := sent[seq], pythonTime(t, echo), pythonTime(t, ev); !s.Before(e) || rep.Sub(s) < rtt {
			t.Errorf("ping %d: sent at %v, echoed at %v, reply at %v with RTT %v", seq, s, e, rep, rtt)
		}
	}

	sum := r.result(t, "student")["summary"].(map[string]any)
	if sum["transmitted"] != float64(10) || sum["received"] != float64(len(replies)) ||
		sum["loss_percent"] != 100*float64(len(dropped))/10 {
		t.Errorf("summary %v, want 10 transmitted, %d received", sum, len(replies))
	}
	var printedTimeouts, printedRTTs int
	for _, ev := range r.events("student", "stdout") {
		msg := ev["message"].(string)
		printedTimeouts += strings.Count(msg, "Request timed out")
		printedRTTs += strings.Count(msg, "RTT:")
	}
	if printedTimeouts != len(dropped) || printedRTTs != len(replies) {
		t.Errorf("printed %d timeouts and %d RTTs, want %d and %d:\n%s", printedTimeouts, printedRTTs, len(dropped), len(replies), r.stdout)
	}
}

// TestPythonPingClientReportsLateReplies delays every reply past the
// client's timeout: each ping times out, and its reply, coming during the
// next ping's wait, is reported late rather than taken for that ping's.
func TestPythonPingClientReportsLateReplies(t *testing.T) {
	lab := fmt.Sprintf(`
ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0
}

ping_client "client" {
  server  = ping_server.server.address
  count   = 4
  timeout = "300ms"
  link {
    to_client {
      delay = "450ms"
    }
  }
  %s
}
`, pythonPlugin(t, "examples/python/ping_client.py"))
	r := runPythonLab(t, lab)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	var got []string
	for _, l := range r.lines {
		if k := l["kind"]; l["component"] == "client" && (k == "reply" || k == "timeout" || k == "late") {
			got = append(got, fmt.Sprintf("%s %d", k, pythonSeq(l)))
		}
	}
	want := []string{"timeout 1", "late 1", "timeout 2", "late 2", "timeout 3", "late 3", "timeout 4"}
	if !slices.Equal(got, want) {
		t.Errorf("client reported %q, want %q", got, want)
	}
}

// TestPythonPingServerAgainstReference runs examples/python/ping-server.hcl:
// the reference client's timeouts are exactly the Python server's drops.
func TestPythonPingServerAgainstReference(t *testing.T) {
	r := runPythonExample(t, "ping-server.hcl", "--seed", "1234")
	dropped, echoed := pythonPingExchange(t, r, "student", "reference")
	want := map[string]any{"received": 10, "echoed": len(echoed), "dropped": len(dropped)}
	if sum := r.result(t, "student")["summary"]; fmt.Sprint(sum) != fmt.Sprint(want) {
		t.Errorf("server summary %v, want %v", sum, want)
	}
	if sum := r.result(t, "reference")["summary"].(map[string]any); sum["received"] != float64(len(echoed)) {
		t.Errorf("client summary %v, want %d received", sum, len(echoed))
	}
}

// pythonHeartbeatStory is what a heartbeat server reported about its
// clients, in order: "down stopper 10", "up pauser 11", "lost student 4-6".
func pythonHeartbeatStory(r hostRun, server string) []string {
	var story []string
	for _, l := range r.lines {
		if l["component"] != server {
			continue
		}
		switch l["kind"] {
		case "down":
			story = append(story, "down "+pythonField(l, "client")+" "+pythonField(l, "last_seq"))
		case "up":
			story = append(story, "up "+pythonField(l, "client")+" "+pythonField(l, "seq"))
		case "lost":
			story = append(story, "lost "+pythonField(l, "client")+" "+pythonField(l, "first_seq")+"-"+pythonField(l, "last_seq"))
		case "restart", "duplicate", "reordered", "malformed":
			story = append(story, l["kind"].(string))
		}
	}
	return story
}

// pythonHeartbeatTotals is a server's summary, one "client received lost
// down" line per client.
func pythonHeartbeatTotals(t *testing.T, r hostRun, server string) []string {
	var totals []string
	for _, c := range r.result(t, server)["summary"].(map[string]any)["clients"].([]any) {
		c := c.(map[string]any)
		totals = append(totals, fmt.Sprintf("%v received %s lost %s down %v", c["client"], pythonNumber(c, "received"), pythonNumber(c, "lost"), c["down"] == true))
	}
	return totals
}

// TestPythonHeartbeatClientAgainstReference runs
// examples/python/heartbeat-client.hcl and checks what the reference
// server reports, as the lab file says it does.
func TestPythonHeartbeatClientAgainstReference(t *testing.T) {
	r := runPythonExample(t, "heartbeat-client.hcl")
	story := pythonHeartbeatStory(r, "reference")
	if want := []string{"lost student 4-6", "down student 10", "up student 11"}; !slices.Equal(story, want) {
		t.Errorf("server reported %q, want %q", story, want)
	}
	if totals, want := pythonHeartbeatTotals(t, r, "reference"), []string{"student received 17 lost 3 down false"}; !slices.Equal(totals, want) {
		t.Errorf("server totals %q, want %q", totals, want)
	}
	if sent := fmt.Sprint(r.result(t, "student")["summary"].(map[string]any)["sent"]); sent != "17" {
		t.Errorf("client says it sent %s heartbeats, want 17", sent)
	}
}

// TestPythonHeartbeatServerAgainstReference runs
// examples/python/heartbeat-server.hcl: the Python server reports what the
// reference server reports for the reference clients of heartbeat.hcl.
func TestPythonHeartbeatServerAgainstReference(t *testing.T) {
	r := runPythonExample(t, "heartbeat-server.hcl")
	story := pythonHeartbeatStory(r, "student")
	slices.Sort(story) // stopper and pauser go down in the same instant
	if want := []string{"down pauser 10", "down stopper 10", "up pauser 11"}; !slices.Equal(story, want) {
		t.Errorf("server reported %q, want %q", story, want)
	}
	want := []string{"pauser received 20 lost 0 down false", "stopper received 10 lost 0 down true"}
	if totals := pythonHeartbeatTotals(t, r, "student"); !slices.Equal(totals, want) {
		t.Errorf("server totals %q, want %q", totals, want)
	}
	if n := len(r.events("student", "heartbeat")); n != 30 {
		t.Errorf("%d heartbeat events, want 30", n)
	}
}

// pythonResponses reads a web client's Response events: "path status
// body_size", or "path error" for a failed exchange.
func pythonResponses(r hostRun, client string) []string {
	var got []string
	for _, ev := range r.events(client, "response") {
		if pythonField(ev, "error") != "" {
			got = append(got, pythonField(ev, "path")+" error")
			continue
		}
		body := ev["event"].(map[string]any)
		got = append(got, pythonField(ev, "path")+" "+pythonNumber(body, "status")+" "+pythonNumber(body, "body_size"))
	}
	return got
}

// pythonCheckWWW checks the responses of the web labs of examples/python:
// two files of examples/www and a 404.
func pythonCheckWWW(t *testing.T, got []string) {
	t.Helper()
	size := func(name string) string {
		fi, err := os.Stat(filepath.Join(repoRoot(t), "examples/www", name))
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(fi.Size(), 10)
	}
	if len(got) != 3 || got[0] != "/HelloWorld.html 200 "+size("HelloWorld.html") ||
		got[1] != "/docs/ 200 "+size("docs/index.html") || !strings.HasPrefix(got[2], "/missing.html 404 ") {
		t.Errorf("client got %q", got)
	}
}

// TestPythonWebServerAgainstReference runs examples/python/web-server.hcl:
// the reference client gets the files of examples/www and a 404.
func TestPythonWebServerAgainstReference(t *testing.T) {
	r := runPythonExample(t, "web-server.hcl")
	pythonCheckWWW(t, pythonResponses(r, "reference"))
	var statuses []string
	for _, ev := range r.events("student", "request") {
		statuses = append(statuses, pythonField(ev, "target")+" "+pythonField(ev, "status"))
	}
	slices.SortFunc(statuses, byRequestOrder) // a thread per connection
	if want := []string{"/HelloWorld.html 200", "/docs/ 200", "/missing.html 404"}; !slices.Equal(statuses, want) {
		t.Errorf("server reported %q, want %q", statuses, want)
	}
	sum := r.result(t, "student")["summary"].(map[string]any)
	if fmt.Sprint(sum["by_status"]) != "map[200:2 404:1]" || sum["requests"] != float64(3) {
		t.Errorf("server summary %v", sum)
	}
}

// TestPythonWebServerRefuses checks the Python web server with requests a
// browser would not make: paths out of the root, HEAD, another method.
func TestPythonWebServerRefuses(t *testing.T) {
	lab := fmt.Sprintf(`
web_server "server" {
  listen = "127.0.0.1:0"
  root   = %q
  %s
}

web_client "escape" {
  server = web_server.server.address
  paths  = ["/../go.mod", "/%%2e%%2e/go.mod", "/docs/../../go.mod"]
}

web_client "head" {
  server = web_server.server.address
  method = "HEAD"
  paths  = ["/HelloWorld.html"]
}

web_client "delete" {
  server = web_server.server.address
  method = "DELETE"
  paths  = ["/HelloWorld.html"]
}
`, filepath.Join(repoRoot(t), "examples/www"), pythonPlugin(t, "examples/python/web_server.py"))
	r := runPythonLab(t, lab)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	for client, want := range map[string]string{
		"escape": `["/../go.mod 404 90" "/%2e%2e/go.mod 404 90" "/docs/../../go.mod 404 90"]`,
		"head":   `["/HelloWorld.html 200 0"]`,
		"delete": `["/HelloWorld.html 405 0"]`,
	} {
		if got := fmt.Sprintf("%q", pythonResponses(r, client)); got != want {
			t.Errorf("%s got %s, want %s", client, got, want)
		}
	}
}

// TestPythonWebClientAgainstReference runs examples/python/web-client.hcl.
func TestPythonWebClientAgainstReference(t *testing.T) {
	r := runPythonExample(t, "web-client.hcl")
	got := pythonResponses(r, "student")
	pythonCheckWWW(t, got)
	for i, ev := range r.events("reference", "request") {
		if want := pythonNumber(ev["event"].(map[string]any), "bytes"); !strings.HasSuffix(got[i], " "+want) {
			t.Errorf("server sent %s bytes for %s, client read %q", want, pythonField(ev, "target"), got[i])
		}
	}
	if sum := r.result(t, "student")["summary"].(map[string]any); fmt.Sprint(sum) != "map[failed:1 ok:2 requests:3]" {
		t.Errorf("client summary %v", sum)
	}
}

// pythonFixture names a broken plugin of host/testdata/python.
func pythonFixture(t *testing.T, script, startTimeout string) string {
	return fmt.Sprintf("plugin {\n    command = [%q, %q]\n    start_timeout = %q\n  }",
		pythonInterpreter, filepath.Join(repoRoot(t), "host/testdata/python", script), startTimeout)
}

// TestPythonFaults runs labs with broken Python plugins: each is reported
// by component name with its cause, and (checked in cleanup) no process
// is left behind.
func TestPythonFaults(t *testing.T) {
	tests := []struct {
		name           string
		server, client string
		failed         string // the component that must fail
		want           []string
	}{
		{"raises in Run", "", pythonFixture(t, "run_error.py", "10s"), "client",
			[]string{"Run failed: ConnectionError: no route to the server: I gave up (run_error.py:8)"}},
		{"hangs at start", pythonFixture(t, "hang_start.py", "2s"), "", "server",
			[]string{"did not complete the plugin handshake within 2s"}},
		{"prints to stdout before serving", pythonFixture(t, "early_stdout.py", "10s"), "", "server",
			[]string{`printed "hello from a Python plugin that prints too early" on stdout before the plugin handshake`}},
		{"ignores stop", pythonFixture(t, "ignore_stop.py", "10s"), "", "server",
			[]string{"did not stop within 3s of being asked"}},
		{"implements another role", "", pythonPlugin(t, "examples/python/ping_server.py"), "client",
			[]string{"does not implement the ping_client role"}},
		{"interpreter without grpc", commandPlugin(pythonInterpreter, "-S", filepath.Join(repoRoot(t), "examples/python/ping_server.py")), "", "server",
			[]string{"plugin handshake", "ImportError: socklab needs grpcio and protobuf, which " + pythonInterpreter + " cannot import"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runPythonLab(t, pingLab(tt.server, tt.client, 3))
			res := r.result(t, tt.failed)
			msg, _ := res["error"].(string)
			if r.exit != 1 || res["ok"] != false || !pythonContainsAll(msg, tt.want) {
				t.Errorf("exit %d, %s ok %v, error:\n%s\nwant exit 1 and an error with %q", r.exit, tt.failed, res["ok"], msg, tt.want)
			}
		})
	}
}

func pythonContainsAll(s string, parts []string) bool {
	return !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(s, p) })
}

// TestPythonInterruptStopsEverything interrupts a lab of two Python
// plugins mid-run: Stop ends the client's loop and the server's blocked
// recvfrom, and both send their summaries.
func TestPythonInterruptStopsEverything(t *testing.T) {
	h := pythonMidRun(t, pythonPlugin(t, "examples/python/ping_server.py"))
	if err := h.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := h.wait(t)
	server, client := r.result(t, "server"), r.result(t, "client")
	if r.exit != 130 || server["ok"] != true || server["summary"] == nil || client["ok"] != true || client["summary"] == nil {
		t.Fatalf("exit %d (want 130), server %v, client %v\n%s", r.exit, server, client, r.stderr)
	}
}

// pythonMidRun starts a lab of server and the Python ping client sending
// 1000 pings, and returns once the client has sent one.
func pythonMidRun(t *testing.T, server string) *host {
	requirePython(t)
	lab := pingLab(server, pythonPlugin(t, "examples/python/ping_client.py"), 1000)
	h := startHostIn(t, "", pythonEnv(t), "run", "--json", writeLab(t, lab))
	h.await(t, func(l map[string]any) bool { return l["component"] == "client" && l["kind"] == "sent" })
	return h
}

// TestPythonHostKilledLeavesNoPlugins kills the host with SIGKILL while a
// Python server runs under a shell, out of reach of the host's
// parent-death signal: the plugin must notice its parent is gone and exit
// (checked in cleanup).
func TestPythonHostKilledLeavesNoPlugins(t *testing.T) {
	h := pythonMidRun(t, commandPlugin("sh", "-c",
		fmt.Sprintf("%s %s; exit $?", pythonInterpreter, filepath.Join(repoRoot(t), "examples/python/ping_server.py"))))
	if n := len(processesMarked(h.mark)); n < 4 {
		t.Fatalf("%d processes before the kill, want the host, the shell and two plugins", n)
	}
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	assertNoProcessesLeft(t, h.mark)
	t.Logf("plugins gone %v after the host was killed", time.Since(start).Round(time.Millisecond))
}

// TestPythonSkeletonsMatchExamples checks that each skeleton of
// examples/python/skeletons is its example with gaps: every line of code
// it has is a line (or, before a gap, the start of one) of the example,
// in the same order.
func TestPythonSkeletonsMatchExamples(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples/python")
	skeletons, _ := filepath.Glob(filepath.Join(dir, "skeletons", "*.py"))
	if len(skeletons) == 0 {
		t.Fatal("no skeletons")
	}
	for _, path := range skeletons {
		skeleton, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		example, err := os.ReadFile(filepath.Join(dir, filepath.Base(path)))
		if err != nil {
			t.Fatalf("skeleton %s has no example: %v", filepath.Base(path), err)
		}
		rest := strings.Split(string(example), "\n")
		gaps := 0
		for _, line := range strings.Split(string(skeleton), "\n") {
			code, _, gap := strings.Cut(line, "# Fill in start")
			code = strings.TrimSpace(code)
			if gap {
				gaps++
			}
			if code == "" || strings.HasPrefix(code, "#") {
				continue
			}
			i := slices.IndexFunc(rest, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), code) })
			if i < 0 {
				t.Errorf("%s: %q is not in the example (after the lines before it)", filepath.Base(path), code)
				break
			}
			rest = rest[i+1:]
		}
		if gaps == 0 {
			t.Errorf("%s has no gap to fill in", filepath.Base(path))
		}
	}
}

// TestPythonExamplesPassTheirSuites grades every Python example with
// `socklab check`: each scores full marks on its role's suite.
func TestPythonExamplesPassTheirSuites(t *testing.T) {
	requirePython(t)
	tests := []struct{ role, file string }{
		{"ping_client", "ping_client.py"},
		{"ping_server", "ping_server.py"},
		{"heartbeat_client", "heartbeat_client.py"},
		{"heartbeat_server", "heartbeat_server.py"},
		{"web_client", "web_client.py"},
		{"web_server", "web_server.py"},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			file := filepath.Join(repoRoot(t), "examples/python", tt.file)
			r := startHostIn(t, "", pythonEnv(t), "check", "--role", tt.role, "--python", pythonInterpreter, file).waitLong(t)
			if r.exit != 0 || !strings.Contains(r.stdout, "pass: ") {
				t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
		})
	}
}
