package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func TestServeResponses(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	bigBody := strings.Repeat("0123456789abcdef", 1<<16)
	tests := []struct {
		name    string
		method  string // for reading the response
		raw     string
		status  int
		ctype   string // prefix
		body    string // exact, or a substring for an HTML page (ctype text/html)
		headers map[string]string
	}{
		{"file", "GET", get("/HelloWorld.html"), 200, "text/html", helloPage, nil},
		{"css", "GET", get("/style.css"), 200, "text/css", "h1 { color: green; }\n", nil},
		{"sniffed type", "GET", get("/notes"), 200, "text/plain", "plain words, no extension\n", nil},
		{"big file by sendfile", "GET", get("/big.bin"), 200, "application/octet-stream", bigBody, nil},
		{"encoded space", "GET", get("/with%20space.txt"), 200, "text/plain", "spaced\n", nil},
		{"literal %2e%2e directory", "GET", get("/%252e%252e/literal.txt"), 200, "text/plain", "not a parent\n", nil},
		{"symlink inside the root", "GET", get("/link-in"), 200, "text/html", helloPage, nil},
		{"directory index", "GET", get("/sub/"), 200, "text/html", "<p>sub index</p>\n", nil},
		{"absolute form", "GET", "GET http://test/sub/ HTTP/1.1\r\nHost: test\r\n\r\n", 200, "text/html", "<p>sub index</p>\n", nil},
		{"directory without slash", "GET", get("/sub?x=1"), 301, "text/html", "301 Moved Permanently", map[string]string{"Location": "/sub/?x=1"}},
		{"HEAD", "HEAD", "HEAD /HelloWorld.html HTTP/1.1\r\nHost: test\r\n\r\n", 200, "text/html", "", map[string]string{"Content-Length": fmt.Sprint(len(helloPage))}},
		{"HTTP/1.0", "GET", "GET /style.css HTTP/1.0\r\n\r\n", 200, "text/css", "h1 { color: green; }\n", nil},
		{"missing file", "GET", get("/missing.html"), 404, "text/html", "<h1>404 Not Found</h1>", nil},
		{"HEAD of a missing file", "HEAD", "HEAD /missing HTTP/1.1\r\nHost: test\r\n\r\n", 404, "text/html", "", nil},
		{"root without index", "GET", get("/"), 404, "text/html", "404 Not Found", nil},
		{"directory without index", "GET", get("/empty/"), 404, "text/html", "404 Not Found", nil},
		{"file with a final slash", "GET", get("/HelloWorld.html/"), 404, "text/html", "404 Not Found", nil},
		{"FIFO", "GET", get("/fifo"), 404, "text/html", "404 Not Found", nil},
		{"symlink out of the root", "GET", get("/link-out"), 404, "text/html", "404 Not Found", nil},
		{"absolute symlink out", "GET", get("/abs-out"), 404, "text/html", "404 Not Found", nil},
		{"through a directory symlink out", "GET", get("/dir-out/secret.txt"), 404, "text/html", "404 Not Found", nil},
		{"dot-dot", "GET", get("/../outside/secret.txt"), 400, "text/html", "400 Bad Request", nil},
		{"encoded dot-dot", "GET", get("/%2e%2e/outside/secret.txt"), 400, "text/html", "400 Bad Request", nil},
		{"encoded slash", "GET", get("/..%2foutside%2fsecret.txt"), 400, "text/html", "400 Bad Request", nil},
		{"POST", "POST", "POST /HelloWorld.html HTTP/1.1\r\nHost: test\r\n\r\n", 405, "text/html", "405 Method Not Allowed", map[string]string{"Allow": "GET, HEAD"}},
		{"DELETE", "DELETE", "DELETE / HTTP/1.1\r\nHost: test\r\n\r\n", 405, "text/html", "405", nil},
		{"unknown method", "BREW", "BREW /pot HTTP/1.1\r\nHost: test\r\n\r\n", 501, "text/html", "501 Not Implemented", nil},
		{"missing Host", "GET", "GET / HTTP/1.1\r\n\r\n", 400, "text/html", "400 Bad Request", nil},
		{"malformed request line", "GET", "GET /\r\n\r\n", 400, "text/html", "400 Bad Request", nil},
		{"HTTP/2.0", "GET", "GET / HTTP/2.0\r\nHost: test\r\n\r\n", 505, "text/html", "505", nil},
		{"long request line", "GET", "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: test\r\n\r\n", 414, "text/html", "414", nil},
		{"head larger than the first read buffer", "GET", "GET /style.css HTTP/1.1\r\nHost: test\r\n" + strings.Repeat("X-Filler: 0123456789\r\n", 250) + "\r\n", 200, "text/css", "h1 { color: green; }\n", nil},
		{"large head", "GET", "GET / HTTP/1.1\r\nHost: test\r\n" + strings.Repeat("X-Filler: 0123456789\r\n", 400) + "\r\n", 431, "text/html", "431", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := dial(t, ts.addr).roundTrip(tt.method, tt.raw)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %q, want %d; body %q", resp.Status, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %q", ct, tt.ctype)
			}
			if tt.method != "HEAD" && resp.ContentLength != int64(len(body)) {
				t.Errorf("Content-Length %d, body %d bytes", resp.ContentLength, len(body))
			}
			switch {
			case tt.method == "HEAD" && body != "":
				t.Errorf("HEAD response has a body %q", body)
			case strings.HasPrefix(tt.ctype, "text/html") && tt.status >= 300:
				if !strings.Contains(body, tt.body) {
					t.Errorf("body %q does not say %q", body, tt.body)
				}
			case body != tt.body:
				t.Errorf("body %.80q, want %.80q", body, tt.body)
			}
			for name, want := range tt.headers {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			if resp.Header.Get("Date") == "" {
				t.Error("no Date header")
			}
			// A refused head ends the connection (the next request cannot
			// be found safely); HTTP/1.0 ends it by default.
			wantClose := strings.Contains(tt.raw, "HTTP/1.0") || map[string]bool{
				"missing Host": true, "malformed request line": true, "HTTP/2.0": true,
				"long request line": true, "large head": true,
			}[tt.name]
			if resp.Close != wantClose {
				t.Errorf("connection closes: %v, want %v", resp.Close, wantClose)
			}
		})
	}
}

func TestKeepAlive(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	c := dial(t, ts.addr)
	for _, path := range []string{"/HelloWorld.html", "/missing", "/big.bin", "/style.css"} {
		resp, _ := c.roundTrip("GET", get(path))
		if resp.Close {
			t.Fatalf("%s: the server closes a keep-alive connection", path)
		}
	}
	// HEAD sends no body: the next response must follow its head directly.
	c.roundTrip("HEAD", "HEAD /big.bin HTTP/1.1\r\nHost: test\r\n\r\n")
	if resp, body := c.roundTrip("GET", get("/HelloWorld.html")); resp.StatusCode != 200 || body != helloPage {
		t.Fatalf("GET after HEAD: %s %q", resp.Status, body)
	}
	resp, _ := c.roundTrip("GET", "GET /style.css HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
	if !resp.Close {
		t.Errorf("Connection: close not answered in kind: %v", resp.Header)
	}
	c.expectClosed()
	sum := ts.summary(t)
	if sum.Connections != 1 || sum.Requests != 7 || sum.ByStatus[200] != 6 || sum.ByStatus[404] != 1 {
		t.Errorf("summary %v, want 1 connection, 7 requests: 6 200s and a 404", sum)
	}
}

func TestHTTP10Connections(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))

	c := dial(t, ts.addr)
	resp, _ := c.roundTrip("GET", "GET /style.css HTTP/1.0\r\n\r\n")
	if !resp.Close {
		t.Error("HTTP/1.0 response without Connection: close")
	}
	c.expectClosed()

	c = dial(t, ts.addr)
	for range 2 {
		resp, _ := c.roundTrip("GET", "GET /style.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		if resp.StatusCode != 200 || resp.Header.Get("Connection") != "keep-alive" {
			t.Fatalf("HTTP/1.0 keep-alive: %s, Connection %q", resp.Status, resp.Header.Get("Connection"))
		}
	}
}

func TestPipelinedRequests(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	c := dial(t, ts.addr)
	c.send("\r\n" + get("/HelloWorld.html") + "HEAD /style.css HTTP/1.1\r\nHost: t\r\n\r\n" + get("/missing") + get("/style.css"))
	for i, want := range []struct {
		method string
		status int
	}{{"GET", 200}, {"HEAD", 200}, {"GET", 404}, {"GET", 200}} {
		if resp, _ := c.read(want.method); resp.StatusCode != want.status {
			t.Errorf("response %d: %s, want %d", i, resp.Status, want.status)
		}
	}
}

// TestRequestWithBodyClosesConnection: the server reads no bodies, so after
// a request that has one it cannot find the next request and must close.
func TestRequestWithBodyClosesConnection(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	for _, raw := range []string{
		"POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world",
		"GET /style.css HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	} {
		c := dial(t, ts.addr)
		resp, _ := c.roundTrip("GET", raw)
		if !resp.Close {
			t.Errorf("%q: response without Connection: close", raw)
		}
		c.expectClosed()
	}
}

func TestRequestEvents(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	c := dial(t, ts.addr)
	c.roundTrip("GET", get("/HelloWorld.html"))
	c.roundTrip("GET", "BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n")
	c.roundTrip("GET", "GET /\x01 HTTP/1.1\r\n\r\n")
	reqs := ts.waitRequests(t, 3)
	peer := c.nc.LocalAddr().String()
	want := []*pb.WebRequest{
		{Peer: peer, Method: "GET", Target: "/HelloWorld.html", Proto: "HTTP/1.1", Status: 200, Bytes: uint64(len(helloPage))},
		{Peer: peer, Method: "BREW", Target: "/pot", Proto: "HTTP/1.1", Status: 501, Reason: "method BREW not implemented"},
		{Peer: peer, Status: 400, Reason: errTarget.reason},
	}
	for i, w := range want {
		r := reqs[i]
		if r.Peer != w.Peer || r.Method != w.Method || r.Target != w.Target || r.Proto != w.Proto ||
			r.Status != w.Status || r.Reason != w.Reason || w.Bytes != 0 && r.Bytes != w.Bytes {
			t.Errorf("request %d: %v, want %v", i, r, w)
		}
		if d := r.Duration.AsDuration(); d <= 0 || d > guard {
			t.Errorf("request %d: duration %v", i, d)
		}
	}
	sum := ts.summary(t)
	if sum.Requests != 3 || sum.ByStatus[200] != 1 || sum.ByStatus[501] != 1 || sum.ByStatus[400] != 1 || sum.Bytes == 0 {
		t.Errorf("summary %v", sum)
	}
}

func TestReportRequestsOff(t *testing.T) {
	cfg := serverConfig(testRoot(t))
	cfg.ReportRequests = false
	ts := startServer(t, cfg)
	dial(t, ts.addr).roundTrip("GET", get("/style.css"))
	if sum := ts.summary(t); sum.Requests != 1 {
		t.Errorf("summary %v, want 1 request", sum)
	}
	if reqs := ts.requests(); len(reqs) != 0 {
		t.Errorf("Request events with report_requests off: %v", reqs)
	}
}

// TestSlowClientsDoNotBlockFastClient holds 50 connections with unfinished
// requests (slowloris) open while a fast client is served, then finishes
// them to show they were still being waited on.
func TestSlowClientsDoNotBlockFastClient(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	slow := make([]*client, 50)
	for i := range slow {
		slow[i] = dial(t, ts.addr)
		slow[i].send("GET /style.css HTTP/1.1\r\nHost: t\r\n")
	}
	for range 3 {
		if resp, body := dial(t, ts.addr).roundTrip("GET", get("/HelloWorld.html")); resp.StatusCode != 200 || body != helloPage {
			t.Fatalf("fast client: %s %q", resp.Status, body)
		}
	}
	for i, c := range slow {
		if resp, _ := c.roundTrip("GET", "\r\n"); resp.StatusCode != 200 {
			t.Fatalf("slow client %d: %s", i, resp.Status)
		}
	}
	if sum := ts.summary(t); sum.Connections != 53 || sum.ByStatus[200] != 53 {
		t.Errorf("summary %v, want 53 connections and 53 200s", sum)
	}
}

// TestOneAtATime: the skeleton's server takes one connection and one
// request at a time, so a slow client holds up the next one.
func TestOneAtATime(t *testing.T) {
	cfg := serverConfig(testRoot(t))
	cfg.Concurrency = pb.Concurrency_CONCURRENCY_ONE_AT_A_TIME
	ts := startServer(t, cfg)

	slow := dial(t, ts.addr)
	slow.send("GET /HelloWorld.html HTTP/1.1\r\nHost: slow\r\n")
	fast := dial(t, ts.addr)
	fast.send(get("/style.css"))
	// The fast client waits while the slow one holds the server.
	fast.nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := fast.br.Peek(1); err == nil {
		t.Fatalf("fast client answered (%q) while the slow one held the server", n)
	}
	fast.nc.SetReadDeadline(time.Now().Add(guard))
	slow.send("\r\n")
	resp, _ := slow.read("GET")
	if !resp.Close {
		t.Error("one-at-a-time response keeps the connection")
	}
	slow.expectClosed()
	if resp, _ := fast.read("GET"); resp.StatusCode != 200 {
		t.Errorf("fast client: %s", resp.Status)
	}
	reqs := ts.waitRequests(t, 2)
	if reqs[0].Target != "/HelloWorld.html" || reqs[1].Target != "/style.css" {
		t.Errorf("served %s then %s, want the slow client first", reqs[0].Target, reqs[1].Target)
	}
}

func TestTimeouts(t *testing.T) {
	cfg := serverConfig(testRoot(t))
	cfg.ReadTimeout = durationpb.New(500 * time.Millisecond)
	cfg.IdleTimeout = durationpb.New(500 * time.Millisecond)
	ts := startServer(t, cfg)

	t.Run("silent client", func(t *testing.T) {
		dial(t, ts.addr).expectClosed()
	})
	t.Run("slow request", func(t *testing.T) {
		c := dial(t, ts.addr)
		c.send("GET /HelloWorld.html HTTP/1.1\r\nHo")
		c.expectClosed()
	})
	t.Run("trickling request", func(t *testing.T) {
		// A byte every 100ms keeps the connection busy but the whole head
		// still has only read_timeout.
		c := dial(t, ts.addr)
		head := get("/HelloWorld.html")
		for i := range len(head) {
			if _, err := c.nc.Write([]byte{head[i]}); err != nil {
				break // the server closed it
			}
			time.Sleep(100 * time.Millisecond)
		}
		c.expectClosed()
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		c := dial(t, ts.addr)
		if resp, _ := c.roundTrip("GET", get("/style.css")); resp.Close {
			t.Fatal("connection not kept alive")
		}
		c.expectClosed()
	})
	var cut int
	for _, r := range ts.requests() {
		if r.Status == 0 {
			cut++
			if r.Reason == "" {
				t.Errorf("timed-out request without a reason: %v", r)
			}
		}
	}
	// The silent and idle connections sent nothing, so only two requests
	// were cut off.
	if cut != 2 {
		t.Errorf("%d requests cut off, want 2: %v", cut, ts.requests())
	}
}

// TestStopWithOpenConnections: after cancel, idle keep-alive connections
// close at once and Serve returns with the Summary.
func TestStopWithOpenConnections(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	a.roundTrip("GET", get("/style.css"))
	b.roundTrip("GET", get("/style.css"))
	sum := ts.summary(t)
	a.expectClosed()
	b.expectClosed()
	if sum.Connections != 2 || sum.Requests != 2 {
		t.Errorf("summary %v", sum)
	}
	if _, err := net.DialTimeout("tcp", ts.addr, guard); err == nil {
		t.Error("the server still accepts after it stopped")
	}
}

func TestIPv6Loopback(t *testing.T) {
	cfg := serverConfig(testRoot(t))
	cfg.Listen = "[::1]:0"
	ts := startServer(t, cfg)
	if !strings.HasPrefix(ts.addr, "[::1]:") {
		t.Fatalf("Ready address %q", ts.addr)
	}
	resps, _ := fetch(t, context.Background(), clientConfig(ts.addr, "/HelloWorld.html"))
	if r := resps[0]; r.Status != 200 || r.BodySize != uint64(len(helloPage)) {
		t.Errorf("response %v", r)
	}
	if r := ts.waitRequests(t, 1)[0]; !strings.HasPrefix(r.Peer, "[::1]:") {
		t.Errorf("peer %q", r.Peer)
	}
}

func TestServeConfigErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	writeTree(t, dir, map[string]string{"file": "x"})
	testBadConfigs(t, func() *pb.WebServerConfig { return serverConfig(dir) }, []badConfig[*pb.WebServerConfig]{
		{"empty root", func(c *pb.WebServerConfig) { c.Root = "" }, "root"},
		{"relative root", func(c *pb.WebServerConfig) { c.Root = "www" }, "root"},
		{"missing root", func(c *pb.WebServerConfig) { c.Root = filepath.Join(dir, "nope") }, "no such file"},
		{"root is a file", func(c *pb.WebServerConfig) { c.Root = file }, "not a directory"},
		{"empty listen", func(c *pb.WebServerConfig) { c.Listen = "" }, "listen"},
		{"bad listen", func(c *pb.WebServerConfig) { c.Listen = "127.0.0.1:http-ish" }, "listen"},
		{"no concurrency", func(c *pb.WebServerConfig) { c.Concurrency = 0 }, "concurrency"},
		{"no read timeout", func(c *pb.WebServerConfig) { c.ReadTimeout = nil }, "read_timeout"},
		{"zero idle timeout", func(c *pb.WebServerConfig) { c.IdleTimeout = durationpb.New(0) }, "idle_timeout"},
		{"tiny max_header_bytes", func(c *pb.WebServerConfig) { c.MaxHeaderBytes = 10 }, "max_header_bytes"},
		{"huge max_header_bytes", func(c *pb.WebServerConfig) { c.MaxHeaderBytes = 1 << 30 }, "max_header_bytes"},
	}, func(cfg *pb.WebServerConfig, events *int) error {
		return Serve(context.Background(), cfg, sdk.NewWebServerEvents(func(*pb.WebServerEvent) { *events++ }))
	})
}

func TestServeListenError(t *testing.T) {
	ts := startServer(t, serverConfig(t.TempDir()))
	cfg := serverConfig(t.TempDir())
	cfg.Listen = ts.addr
	if err := Serve(context.Background(), cfg, sdk.NewWebServerEvents(func(*pb.WebServerEvent) {})); err == nil {
		t.Errorf("Serve on the busy address %s succeeded", ts.addr)
	}
}

// TestExampleSite serves examples/www, the lab's own site.
func TestExampleSite(t *testing.T) {
	root, err := filepath.Abs("../../../examples/www")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(root, "HelloWorld.html"))
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, serverConfig(root))
	c := dial(t, ts.addr)
	if resp, body := c.roundTrip("GET", get("/HelloWorld.html")); resp.StatusCode != http.StatusOK || body != string(want) {
		t.Errorf("GET /HelloWorld.html: %s, %d bytes", resp.Status, len(body))
	}
}

// TestTypeByExtension: the server's types are its own table, the same on
// every machine, whatever its MIME databases say; an extension it does not
// know is left to sniffing.
func TestTypeByExtension(t *testing.T) {
	for _, c := range []struct{ ext, want string }{
		{".html", "text/html; charset=utf-8"},
		{".HTM", "text/html; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".png", "image/png"},
		{".JPG", "image/jpeg"},
		{".txt", "text/plain; charset=utf-8"},
		{".bin", "application/octet-stream"},
		{".tar", ""},
		{".md", ""},
		{"", ""},
	} {
		if got := typeByExtension(c.ext); got != c.want {
			t.Errorf("typeByExtension(%q) = %q, want %q", c.ext, got, c.want)
		}
	}
}
