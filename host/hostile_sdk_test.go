package main

// Hostile peers against the reference plugins through the real host: bytes
// that are not text, and more connections than a server takes. Each test
// asserts the lab's outcome, not only that nothing crashed.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// exchangeRaw sends req on a new connection to addr and returns the whole
// answer.
func exchangeRaw(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, guard)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(guard))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%q: %v", req, err)
	}
	return string(b)
}

// awaitReady waits for a server's Ready event and returns its address.
func (h *host) awaitReady(t *testing.T, component string) string {
	t.Helper()
	var addr string
	h.await(t, func(l map[string]any) bool {
		if l["component"] != component || l["kind"] != "ready" {
			return false
		}
		addr = l["event"].(map[string]any)["address"].(string)
		return true
	})
	return addr
}

// TestWebLabSurvivesRequestsThatAreNotText: requests whose target, method or
// headers hold bytes that are not UTF-8 (curl's /%ff decodes to one, a raw
// "GET /\xff" is one) are answered, reported with the bytes escaped, and the
// server goes on serving: the lab ends as the user ends it, successfully.
func TestWebLabSurvivesRequestsThatAreNotText(t *testing.T) {
	h := startHostIn(t, "", nil, "run", "--json", "--var", "port=0", repoRoot(t)+"/examples/web.hcl")
	addr := h.awaitReady(t, "server")
	for _, tc := range []struct{ req, status string }{
		{"GET /%ff HTTP/1.0\r\n\r\n", "HTTP/1.1 404 "},
		{"GET /\xff HTTP/1.0\r\n\r\n", "HTTP/1.1 "},
		{"GET /caf\xc3 HTTP/1.1\r\nHost: \xfe\r\nConnection: close\r\n\r\n", "HTTP/1.1 "},
		{"G\xffT / HTTP/1.0\r\n\r\n", "HTTP/1.1 400 "},
		{"GET / HTTP/\xff\r\n\r\n", "HTTP/1.1 "},
	} {
		if got := exchangeRaw(t, addr, tc.req); !strings.HasPrefix(got, tc.status) {
			t.Errorf("%q: answered %q, want %q...", tc.req, got, tc.status)
		}
	}
	// Still serving.
	if got := exchangeRaw(t, addr, "GET /HelloWorld.html HTTP/1.0\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 200 ") {
		t.Errorf("after the hostile requests: %q", got)
	}
	if err := h.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := h.wait(t)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	if res := r.result(t, "server"); res["ok"] != true {
		t.Fatalf("server: %v\n%s", res, r.stderr)
	}
	var targets []string
	for _, ev := range eventsOf[pb.WebRequest](t, r, "server", "request") {
		targets = append(targets, fmt.Sprintf("%s %s %s %d", ev.msg.GetMethod(), ev.msg.GetTarget(), ev.msg.GetProto(), ev.msg.GetStatus()))
	}
	want := []string{
		"GET /%ff HTTP/1.0 404",
		`GET /\xff HTTP/1.0 404`,
		`GET /caf\xc3 HTTP/1.1 404`,
		"   400", // a request line that does not parse is reported without its parts
		"   400",
		"GET /HelloWorld.html HTTP/1.0 200",
	}
	checkReport(t, "requests", targets, want)
	if sum := summaryOf[pb.WebServerSummary](t, r, "server"); sum.GetRequests() != uint64(len(want)) {
		t.Errorf("summary %v, want %d requests", sum, len(want))
	}
}

// TestWebClientSurvivesAResponseThatIsNotText: the reference web client asks
// a raw server whose status line and headers hold bytes that are not UTF-8,
// and for /%ff from the reference server; it reports both responses and
// ends successfully.
func TestWebClientSurvivesAResponseThatIsNotText(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(guard))
				buf := make([]byte, 4096)
				c.Read(buf)
				io.WriteString(c, "HTTP/1.1 200 \xffK\r\nX-Odd: caf\xc3\r\nContent-Length: 2\r\n\r\n\xff\xfe")
			}()
		}
	}()
	r := runHost(t, fmt.Sprintf(`
web_server "server" {
  listen = "127.0.0.1:0"
  root   = %q
}
web_client "raw" {
  server    = %q
  paths     = ["/x"]
  show_body = true
  link {
    direct = true
  }
}
web_client "ref" {
  server = web_server.server.address
  paths  = ["/%%ff", "/HelloWorld.html"]
}
`, repoRoot(t)+"/examples/www", ln.Addr().String()))
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	raw := eventsOf[pb.WebResponse](t, r, "raw", "response")
	if len(raw) != 1 {
		t.Fatalf("raw: %d responses\n%s", len(raw), r.stdout)
	}
	if got := raw[0].msg; got.GetStatusLine() != `HTTP/1.1 200 \xffK` || header(got, "X-Odd") != `caf\xc3` || string(got.GetBody()) != "\xff\xfe" {
		t.Errorf("raw response: %v", got)
	}
	ref := eventsOf[pb.WebResponse](t, r, "ref", "response")
	if len(ref) != 2 || ref[0].msg.GetStatus() != 404 || ref[1].msg.GetStatus() != 200 {
		t.Errorf("ref responses: %v", ref)
	}
}

// TestPythonPluginSendsBytesThatAreNotText: a Python web client hands the
// SDK what recv gave it, bytes that are not UTF-8, and an exception message
// holding surrogates; the lab succeeds and the host shows the bytes escaped.
func TestPythonPluginSendsBytesThatAreNotText(t *testing.T) {
	requirePython(t)
	script := filepath.Join(t.TempDir(), "client.py")
	if err := os.WriteFile(script, []byte(`import socklab

def run(config, out):
    out.log(b"got \xff")
    out.response(path="/\xff".encode("latin-1").decode("utf-8", "surrogateescape"),
                 status_line=b"HTTP/1.1 200 \xfeK", status=200, headers=[(b"X-Odd", b"caf\xc3")], body=b"\xff")
    out.summary(requests=1, ok=1)

socklab.serve_web_client(run)
`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runPythonLab(t, fmt.Sprintf(`
web_client "py" {
  server = "127.0.0.1:9"
  link {
    direct = true
  }
  plugin {
    command = [%q, %q]
  }
}
`, pythonInterpreter, script))
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	resp := eventsOf[pb.WebResponse](t, r, "py", "response")
	if len(resp) != 1 || resp[0].msg.GetPath() != `/\xff` || resp[0].msg.GetStatusLine() != `HTTP/1.1 200 \xfeK` ||
		header(resp[0].msg, "X-Odd") != `caf\xc3` || string(resp[0].msg.GetBody()) != "\xff" {
		t.Errorf("responses %v", resp)
	}
	if logs := messages(r, "py", "log"); len(logs) != 1 || logs[0] != `got \xff` {
		t.Errorf("logs %q", logs)
	}
}

// vmHWM is a process's peak resident memory in bytes, from /proc.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// TestHeartbeatServerBoundsSixtyThousandClients: heartbeats from 60,000
// client ids reach the reference server of a real run. It tracks 1000 (its
// max_clients), counts the rest, lists 100 in its summary and adds up the
// others: its peak memory and the summary stay small (before the caps:
// 61 MB and a result line of 9.8 MB).
func TestHeartbeatServerBoundsSixtyThousandClients(t *testing.T) {
	h := startHost(t, `
heartbeat_server "server" {
  listen = "127.0.0.1:0"
}
`, "--json")
	addr := h.awaitReady(t, "server")
	var plugin int
	for _, pid := range processesMarked(h.mark) {
		if pid != h.cmd.Process.Pid {
			plugin = pid
		}
	}
	if plugin == 0 {
		t.Fatal("no plugin process found")
	}
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const ids = 60000
	for i := range ids {
		fmt.Fprintf(c, "Heartbeat 1 %d id%d", time.Now().Unix(), i)
		if i%200 == 199 {
			time.Sleep(2 * time.Millisecond) // let a loaded machine's server keep up
		}
	}
	time.Sleep(500 * time.Millisecond)
	peak := vmHWM(t, plugin)
	if err := h.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := h.wait(t)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	resultLine := 0
	for line := range strings.SplitSeq(r.stdout, "\n") {
		if strings.Contains(line, `"kind":"result"`) {
			resultLine = len(line)
		}
	}
	sum := summaryOf[pb.HeartbeatServerSummary](t, r, "server")
	t.Logf("plugin peak memory %.1f MB, result line %d bytes; tracked %d, listed %d, untracked heartbeats %d",
		float64(peak)/(1<<20), resultLine, sum.GetClientsTracked(), len(sum.GetClients()), sum.GetUntrackedHeartbeats())
	if sum.GetClientsTracked() != 1000 || len(sum.GetClients()) != 100 || sum.GetUnlistedClients() != 900 ||
		sum.GetUntrackedHeartbeats() == 0 || sum.GetUntrackedHeartbeats() > ids-1000 {
		t.Errorf("summary: tracked %d, listed %d, unlisted %d, untracked heartbeats %d; want 1000, 100, 900, 1..%d",
			sum.GetClientsTracked(), len(sum.GetClients()), sum.GetUnlistedClients(), sum.GetUntrackedHeartbeats(), ids-1000)
	}
	if logs := messages(r, "server", "log"); !slices.ContainsFunc(logs, func(s string) bool { return strings.HasPrefix(s, "max_clients (1000) are tracked") }) {
		t.Errorf("no warning that max_clients was reached in %q", logs)
	}
	if resultLine > 64<<10 {
		t.Errorf("result line of %d bytes", resultLine)
	}
	if peak > 45<<20 {
		t.Errorf("plugin peak memory %d bytes, over 45 MiB", peak)
	}
}

// withOpenFiles runs the host, and so its plugins, with at most n open
// descriptors (soft and hard limit).
func withOpenFiles(n int) []string {
	return []string{"sh", "-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, n)}
}

// pipelined sends a request and the start of the next on a new connection
// and returns it with the first answer's status line, "" if none came.
func pipelined(t *testing.T, addr string) (net.Conn, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, guard)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(guard))
	io.WriteString(c, "GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\nGET /HelloWorld.html HTTP/1.1\r\n")
	line, _ := bufio.NewReader(c).ReadString('\n')
	return c, strings.TrimSpace(line)
}

// getUntilOK asks for /HelloWorld.html on new connections until one is
// answered 200 (a newcomer may be refused while the server frees a slot),
// and fails after 50 tries.
func getUntilOK(t *testing.T, addr string) {
	t.Helper()
	var got string
	for range 50 {
		if got = exchangeRaw(t, addr, "GET /HelloWorld.html HTTP/1.0\r\n\r\n"); strings.HasPrefix(got, "HTTP/1.1 200 ") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("never answered 200; last answer %.60q", got)
}

// TestWebServerServesPastItsConnectionCap: with 256 descriptors the
// reference server takes 192 connections at once (its default
// max_connections). 400 idle connections do not keep it from serving: a
// newcomer takes an idle one's place. Past the cap with every connection
// busy, newcomers are answered 503, cleanly and counted; then it serves
// again.
func TestWebServerServesPastItsConnectionCap(t *testing.T) {
	h := startHostVia(t, withOpenFiles(256), "", nil, "run", "--json", "--var", "port=0", repoRoot(t)+"/examples/web.hcl")
	addr := h.awaitReady(t, "server")
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range 400 {
		c, err := net.DialTimeout("tcp", addr, guard)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	getUntilOK(t, addr)

	var held []net.Conn
	statuses := map[string]int{}
	for range 250 {
		c, status := pipelined(t, addr)
		held = append(held, c)
		statuses[status]++
	}
	t.Logf("250 busy connections past 400 idle ones: %v", statuses)
	if statuses["HTTP/1.1 200 OK"] == 0 || statuses["HTTP/1.1 503 Service Unavailable"] == 0 ||
		statuses["HTTP/1.1 200 OK"]+statuses["HTTP/1.1 503 Service Unavailable"] != 250 {
		t.Errorf("answers %v: want some 200, some 503, nothing else", statuses)
	}
	for _, c := range held {
		c.Close()
	}
	getUntilOK(t, addr)

	if err := h.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := h.wait(t)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	sum := summaryOf[pb.WebServerSummary](t, r, "server")
	t.Logf("summary: %d connections, %d evicted, %d refused", sum.GetConnections(), sum.GetEvicted(), sum.GetRefused())
	if sum.GetEvicted() == 0 || sum.GetRefused() < uint64(statuses["HTTP/1.1 503 Service Unavailable"]) {
		t.Errorf("summary %v", sum)
	}
	logs := messages(r, "server", "log")
	if !slices.ContainsFunc(logs, func(s string) bool { return strings.Contains(s, "at most 192 connections") }) ||
		slices.ContainsFunc(logs, func(s string) bool { return strings.HasPrefix(s, "accept:") }) {
		t.Errorf("logs %q: want the cap of 192 named, and no failed accept", logs)
	}
}

// TestWebServerBacksOffWhenOutOfDescriptors: with max_connections above
// what 64 descriptors allow, accept fails (too many open files) while 100
// connections are held; the server retries after growing pauses, a few
// times a second rather than in a loop, and serves again once they close.
func TestWebServerBacksOffWhenOutOfDescriptors(t *testing.T) {
	lab := writeLab(t, fmt.Sprintf(`
web_server "server" {
  listen          = "127.0.0.1:0"
  root            = %q
  max_connections = 1000
}
`, repoRoot(t)+"/examples/www"))
	h := startHostVia(t, withOpenFiles(64), "", nil, "run", "--json", lab)
	addr := h.awaitReady(t, "server")
	var held []net.Conn
	for range 100 {
		c, err := net.DialTimeout("tcp", addr, guard)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	time.Sleep(2 * time.Second)
	for _, c := range held {
		c.Close()
	}
	getUntilOK(t, addr)
	if err := h.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := h.wait(t)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	failed := 0
	for _, l := range messages(r, "server", "log") {
		if strings.HasPrefix(l, "accept:") && strings.Contains(l, "too many open files") {
			failed++
		}
	}
	t.Logf("%d failed accepts logged in about 2 s", failed)
	if failed == 0 || failed > 25 {
		t.Errorf("%d failed accepts logged: want some, backing off (a pause that doubles up to 1 s)", failed)
	}
}

// TestGoPluginSendsStringsThatAreNotText: a Go plugin's events carry
// strings that are not UTF-8; the SDK escapes them and the run succeeds.
// One event larger than the host accepts fails the component with that
// reason, not a lost plugin.
func TestGoPluginSendsStringsThatAreNotText(t *testing.T) {
	lab := func(plugin string) string {
		return fmt.Sprintf(`
ping_client "client" {
  server = "127.0.0.1:9"
  count  = 1
  link {
    direct = true
  }
  %s
}
`, faultPlugin(t, plugin))
	}
	r := runHost(t, lab("not-text"))
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	if logs := messages(r, "client", "log"); len(logs) != 1 || logs[0] != `peer said caf\xc3 \xff` {
		t.Errorf("logs %q", logs)
	}
	replies := eventsOf[pb.PingReply](t, r, "client", "reply")
	if len(replies) != 1 || replies[0].msg.GetPeer() != `host\xfe:1` || string(replies[0].msg.GetPayload()) != "PING \xff" {
		t.Errorf("replies %v", replies)
	}

	r = runHost(t, lab("huge-event"))
	res := r.result(t, "client")
	if r.exit == 0 || res["ok"] != false || !strings.Contains(fmt.Sprint(res["error"]), `sending events to host: event "sent" of `) ||
		strings.Contains(fmt.Sprint(res["error"]), "lost the plugin") {
		t.Errorf("exit %d, client %v", r.exit, res)
	}
}
