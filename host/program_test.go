package main

// Plain programs in labs: the lab sheet's own programs, which speak no
// plugin protocol, run by the host as ordinary processes.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socklab/socklab/internal/tooltest"
)

// debianPython is the interpreter plain Python programs run with; they
// need nothing beyond the standard library.
const debianPython = tooltest.DebianPython

func requireDebianPython(t *testing.T) {
	t.Helper()
	tooltest.Need(t, "python3")
}

// freePort returns a loopback port nothing listens on for network, a
// moment ago.
func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func corpus(t *testing.T, parts ...string) string {
	return filepath.Join(append([]string{repoRoot(t), "host/check/testdata"}, parts...)...)
}

// programPlugin is a plugin block for a plain program expected at port.
func programPlugin(port int, argv ...string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = fmt.Sprintf("%q", a)
	}
	return fmt.Sprintf("plugin {\n    program = [%s]\n    expects = \"127.0.0.1:%d\"\n    args    = [\"{port}\"]\n  }", strings.Join(q, ", "), port)
}

// TestPlainPingClient runs the sheet's kind of UDPPingerClient.py against
// the reference server through a lossy link: its printed lines become
// events, and what it printed as lost is what the link dropped.
func TestPlainPingClient(t *testing.T) {
	requireDebianPython(t)
	port := freePort(t, "udp")
	lab := fmt.Sprintf(`
ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0
}
ping_client "client" {
  server = ping_server.server.address
  link {
    loss = 0.2
  }
  %s
}
`, programPlugin(port, debianPython, corpus(t, "ping_client/python_good/UDPPingerClient.py")))
	r := runHost(t, lab, "--seed", "8")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	replies, timeouts := len(r.events("client", "reply")), len(r.events("client", "timeout"))
	if replies+timeouts != 10 || timeouts == 0 {
		t.Fatalf("%d replies and %d timeouts from the printed lines\n%s", replies, timeouts, r.stdout)
	}
	if len(r.events("client", "stdout")) < 11 {
		t.Errorf("the program's own lines are not shown:\n%s", r.stdout)
	}
	res := r.result(t, "client")
	if !strings.HasPrefix(res["plugin"].(string), "program ") || res["summary"] == nil {
		t.Errorf("client result %v", res)
	}
	link := res["link"].(map[string]any)["to_server"].(map[string]any)
	if link["packets"] != float64(10) {
		t.Errorf("link saw %v pings, want 10", link["packets"])
	}
}

// TestPlainPingServer runs the sheet's UDPPingerServer.py under the
// reference client: the host waits until it has bound its port, and stops
// it at the end.
func TestPlainPingServer(t *testing.T) {
	requireDebianPython(t)
	port := freePort(t, "udp")
	lab := fmt.Sprintf(`
ping_server "server" {
  %s
}
ping_client "client" {
  server  = ping_server.server.address
  count   = 20
  timeout = "200ms"
}
`, programPlugin(port, debianPython, corpus(t, "ping_server/python_sheet/UDPPingerServer.py")))
	r := runHost(t, lab)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	if ready := r.events("server", "ready"); len(ready) != 1 || !strings.HasSuffix(ready[0]["message"].(string), fmt.Sprintf(":%d", port)) {
		t.Fatalf("ready events %v", ready)
	}
	if replies := len(r.events("client", "reply")); replies == 0 || replies == 20 {
		t.Fatalf("%d of 20 pings answered by a server that drops 4 in 11", replies)
	}
}

// TestPlainProgramFaults: a plain program that crashes, ends before it
// binds, or never binds is reported by name and cause, and nothing is left
// running (checked in cleanup).
func TestPlainProgramFaults(t *testing.T) {
	requireDebianPython(t)
	dir := t.TempDir()
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	crash := write("crash.py", "import sys\nprint('Ping 1 sent')\nraise ValueError('bad seq')\n")
	quits := write("quits.py", "import sys\nprint('no socket for me', file=sys.stderr)\nsys.exit(3)\n")
	idle := write("idle.py", "import time\ntime.sleep(60)\n")
	port := freePort(t, "udp")
	tests := []struct {
		name, server, client, failed string
		want                         []string
	}{
		{"client crashes", "", programPlugin(port, debianPython, crash), "client",
			[]string{"ended with exit status 1", "ValueError: bad seq"}},
		{"server exits before it binds", programPlugin(port, debianPython, quits), "", "server",
			[]string{"ended before it bound udp port", "exit status 3", "no socket for me"}},
		{"server never binds", strings.Replace(programPlugin(port, debianPython, idle), "args", "start_timeout = \"1s\"\n    args", 1), "", "server",
			[]string{fmt.Sprintf("did not bind udp port %d within 1s", port)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := fmt.Sprintf("ping_server \"server\" {\n  listen = \"127.0.0.1:0\"\n  %s\n}\nping_client \"client\" {\n  server = ping_server.server.address\n  count = 2\n  %s\n}\n", tt.server, tt.client)
			r := runHost(t, lab)
			if r.exit != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
			msg, _ := r.result(t, tt.failed)["error"].(string)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s's error lacks %q:\n%s", tt.failed, w, msg)
				}
			}
		})
	}
}

// TestPlainWebServerInItsRoot: a plain web server of a lab file, written
// as the sheet's (it opens the path it is asked for in its own directory
// and binds the port it likes, not the lab's), runs in its root and is
// found on the port it bound.
func TestPlainWebServerInItsRoot(t *testing.T) {
	requireDebianPython(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "HelloWorld.html"), []byte("<p>hello</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t, "tcp")
	server := filepath.Join(dir, "WebServer.py")
	src := fmt.Sprintf(`from socket import *
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', %d))
serverSocket.listen(1)
while True:
    connectionSocket, addr = serverSocket.accept()
    try:
        filename = connectionSocket.recv(1024).decode().split()[1]
        outputdata = open(filename[1:]).read()
        connectionSocket.send(b'HTTP/1.1 200 OK\r\n\r\n')
        for ch in outputdata:
            connectionSocket.send(ch.encode())
        connectionSocket.send(b'\r\n')
    except IOError:
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\n\r\n')
    connectionSocket.close()
`, port)
	if err := os.WriteFile(server, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	lab := fmt.Sprintf(`
web_server "server" {
  listen = "127.0.0.1:0"
  root   = %q
  plugin {
    program = [%q, %q]
  }
}
web_client "client" {
  server = web_server.server.address
  paths  = ["/HelloWorld.html"]
}
`, root, debianPython, server)
	r := runHost(t, lab)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	if ready := r.events("server", "ready"); len(ready) != 1 || !strings.HasSuffix(ready[0]["message"].(string), fmt.Sprintf(":%d", port)) {
		t.Errorf("ready events %v, want the port it bound, %d", ready, port)
	}
	if resp := r.events("client", "response"); len(resp) != 1 || !strings.Contains(fmt.Sprint(resp[0]["message"]), "200") {
		t.Errorf("responses %v, want a 200: the server runs in its root", resp)
	}
}
