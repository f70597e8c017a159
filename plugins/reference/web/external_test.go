package web

// Tests against real HTTP clients and servers: curl, Python's http.client
// and http.server, headless Chromium and nginx. Without a tool they skip,
// naming its Debian package (see internal/tooltest); CI installs them all.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pb "github.com/socklab/socklab/proto/socklabpb"

	"github.com/socklab/socklab/internal/tooltest"
)

// tool finds a program the test needs; see tooltest.Need.
func tool(t *testing.T, name string) string {
	t.Helper()
	return tooltest.Need(t, name)
}

// run runs a command to completion within guard and returns its stdout.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\nstdout: %s\nstderr: %s", name, args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// startProcess starts a server process listening on the port it is given
// (mkArgs builds its arguments) and returns its address once it accepts
// connections. A port taken meanwhile by another process is retried.
func startProcess(t *testing.T, name string, mkArgs func(port int) []string) string {
	t.Helper()
	for range 3 {
		port := freePort(t)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		var out bytes.Buffer
		cmd := exec.Command(name, mkArgs(port)...)
		cmd.Stdout, cmd.Stderr = &out, &out
		// Its own process group, so that its children (nginx's workers)
		// end with it.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		exited := make(chan struct{})
		go func() {
			cmd.Wait()
			close(exited)
		}()
		t.Cleanup(func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		})
		for deadline := time.Now().Add(guard); time.Now().Before(deadline); {
			select {
			case <-exited:
				t.Logf("%s exited before listening on %s: %s", name, addr, out.String())
			default:
				if nc, err := net.Dial("tcp", addr); err == nil {
					nc.Close()
					return addr
				}
				time.Sleep(50 * time.Millisecond)
				continue
			}
			break
		}
	}
	t.Fatalf("%s did not start listening", name)
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestCurl(t *testing.T) {
	curl := tool(t, "curl")
	ts := startServer(t, serverConfig(testRoot(t)))
	base := "http://" + ts.addr

	out := run(t, curl, "-sS", "-i", base+"/HelloWorld.html")
	if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(out, "\r\n\r\n"+helloPage) ||
		!strings.Contains(out, "Content-Type: text/html; charset=utf-8\r\n") {
		t.Errorf("curl GET:\n%s", out)
	}
	if out := run(t, curl, "-sS", "-I", base+"/style.css"); !strings.Contains(out, "Content-Length: 21\r\n") {
		t.Errorf("curl HEAD:\n%s", out)
	}
	if out := run(t, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", base+"/nope.html"); out != "404" {
		t.Errorf("curl missing file: %s", out)
	}
	if out := run(t, curl, "-sS", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", base+"/../outside/secret.txt"); out != "400" {
		t.Errorf("curl --path-as-is /../: %s", out)
	}
	if out := run(t, curl, "-sS", "-X", "POST", "-d", "x=1", "-o", "/dev/null", "-w", "%{http_code}", base+"/HelloWorld.html"); out != "405" {
		t.Errorf("curl POST: %s", out)
	}
	if out := run(t, curl, "-sS", "--http1.0", base+"/sub/"); out != "<p>sub index</p>\n" {
		t.Errorf("curl --http1.0: %q", out)
	}
	// Two URLs in one curl share a kept-alive connection: one peer.
	before := len(ts.waitRequests(t, 6))
	run(t, curl, "-sS", "-o", "/dev/null", "-o", "/dev/null", base+"/big.bin", base+"/style.css")
	reqs := ts.waitRequests(t, before+2)[before:]
	if len(reqs) != 2 || reqs[0].Peer != reqs[1].Peer {
		t.Errorf("curl's two requests came as %v", reqs)
	}
}

func TestPythonHTTPClient(t *testing.T) {
	python := tool(t, "python3")
	ts := startServer(t, serverConfig(testRoot(t)))
	host, port, _ := net.SplitHostPort(ts.addr)
	script := `
import http.client, json, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=20)
out = []
for method, path in [("GET", "/HelloWorld.html"), ("HEAD", "/big.bin"), ("GET", "/missing"), ("GET", "/big.bin")]:
    c.request(method, path)
    r = c.getresponse()
    body = r.read()
    out.append({"status": r.status, "type": r.getheader("Content-Type"),
                "length": r.getheader("Content-Length"), "body": len(body),
                "text": body.decode("latin-1")[:200], "version": r.version})
print(json.dumps(out))
`
	var got []struct {
		Status  int
		Type    string
		Length  string
		Body    int
		Text    string
		Version int
	}
	if err := json.Unmarshal([]byte(run(t, python, "-c", script, host, port)), &got); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status int
		ctype  string
		length string
		body   int
	}{
		{200, "text/html; charset=utf-8", strconv.Itoa(len(helloPage)), len(helloPage)},
		{200, "application/octet-stream", "1048576", 0},
		{404, "text/html; charset=utf-8", "", -1},
		{200, "application/octet-stream", "1048576", 1 << 20},
	}
	for i, w := range want {
		g := got[i]
		if g.Status != w.status || g.Type != w.ctype || w.length != "" && g.Length != w.length || w.body >= 0 && g.Body != w.body || g.Version != 11 {
			t.Errorf("response %d: %+v, want %+v", i, g, w)
		}
	}
	if got[0].Text != helloPage || !strings.Contains(got[2].Text, "404 Not Found") {
		t.Errorf("bodies %q, %q", got[0].Text, got[2].Text)
	}
	if sum := ts.summary(t); sum.Connections != 1 || sum.Requests != 4 {
		t.Errorf("summary %v, want 4 requests on one kept-alive connection", sum)
	}
}

// TestChromium loads the example HelloWorld.html, which pulls in a style
// sheet and a script, in headless Chromium.
func TestChromium(t *testing.T) {
	chromium := tool(t, "chromium")
	root, err := filepath.Abs("../../../examples/www")
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, serverConfig(root))
	dom := run(t, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "http://"+ts.addr+"/HelloWorld.html")
	for _, want := range []string{"<title>Hello World</title>", "<h1>Hello, World!</h1>", "The script ran too."} {
		if !strings.Contains(dom, want) {
			t.Errorf("page lacks %q:\n%s", want, dom)
		}
	}
	served := map[string]uint32{}
	for _, r := range ts.requests() {
		served[r.Target] = r.Status
	}
	for _, path := range []string{"/HelloWorld.html", "/style.css", "/hello.js"} {
		if served[path] != 200 {
			t.Errorf("%s: status %d, want 200 (served: %v)", path, served[path], served)
		}
	}
}

func TestFetchFromPythonHTTPServer(t *testing.T) {
	python := tool(t, "python3")
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"HelloWorld.html": helloPage})
	addr := startProcess(t, python, func(port int) []string {
		return []string{"-m", "http.server", "--bind", "127.0.0.1", strconv.Itoa(port), "--directory", dir}
	})
	cfg := clientConfig(addr, "/HelloWorld.html", "/missing.html")
	cfg.ShowBody = true
	resps, sum := fetch(t, context.Background(), cfg)
	if r := resps[0]; r.Status != 200 || string(r.Body) != helloPage || r.Error != "" || !hasHeader(r.Headers, "Content-Type", "text/html") {
		t.Errorf("GET /HelloWorld.html: %v", r)
	}
	if r := resps[1]; r.Status != 404 || r.Error != "" || r.BodySize == 0 {
		t.Errorf("GET /missing.html: %v", r)
	}
	if sum.Ok != 1 || sum.Failed != 1 {
		t.Errorf("summary %v", sum)
	}
}

func TestFetchFromNginx(t *testing.T) {
	nginx := tool(t, "nginx")
	dir := t.TempDir()
	www := filepath.Join(dir, "www")
	big := strings.Repeat("nginx sends this", 1<<16)
	writeTree(t, www, map[string]string{"HelloWorld.html": helloPage, "big.bin": big})
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must read the test's private temp dir
	}
	addr := startProcess(t, nginx, func(port int) []string {
		conf := filepath.Join(dir, "nginx.conf")
		writeTree(t, dir, map[string]string{"nginx.conf": fmt.Sprintf(`%s
worker_processes 1;
pid %[2]s/nginx.pid;
events { worker_connections 64; }
http {
	access_log off;
	types { text/html html; application/octet-stream bin; }
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	server { listen 127.0.0.1:%[3]d; root %[4]s; }
}
`, user, dir, port, www)})
		return []string{"-c", conf, "-p", dir, "-e", "stderr", "-g", "daemon off;"}
	})
	cfg := clientConfig(addr, "/HelloWorld.html", "/missing.html", "/big.bin")
	cfg.ShowBody = true
	resps, sum := fetch(t, context.Background(), cfg)
	if r := resps[0]; r.Status != 200 || string(r.Body) != helloPage || !hasHeader(r.Headers, "Server", "nginx") {
		t.Errorf("GET /HelloWorld.html: %v", r)
	}
	if r := resps[1]; r.Status != 404 || !strings.Contains(string(r.Body), "404 Not Found") {
		t.Errorf("GET /missing.html: %v", r)
	}
	if r := resps[2]; r.Status != 200 || r.BodySize != uint64(len(big)) || string(r.Body) != big {
		t.Errorf("GET /big.bin: %d, %d bytes, %q", r.Status, r.BodySize, r.Error)
	}
	if sum.Requests != 3 || sum.Ok != 2 || sum.Failed != 1 {
		t.Errorf("summary %v", sum)
	}
}

// hasHeader reports whether a header name has a value starting with prefix.
func hasHeader(headers []*pb.Header, name, prefix string) bool {
	for _, h := range headers {
		if strings.EqualFold(h.Name, name) && strings.HasPrefix(h.Value, prefix) {
			return true
		}
	}
	return false
}
