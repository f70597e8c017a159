package web

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func clientConfig(server string, paths ...string) *pb.WebClientConfig {
	return &pb.WebClientConfig{Server: server, Paths: paths, Method: "GET", Timeout: durationpb.New(guard)}
}

// fetch runs Fetch and returns its Responses and Summary, checking the
// Summary came last.
func fetch(t *testing.T, ctx context.Context, cfg *pb.WebClientConfig) ([]*pb.WebResponse, *pb.WebClientSummary) {
	t.Helper()
	rec := newRecorder[*pb.WebClientEvent]()
	if err := Fetch(ctx, cfg, sdk.NewWebClientEvents(rec.emit)); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	evs := rec.all()
	var resps []*pb.WebResponse
	for _, e := range evs[:len(evs)-1] {
		if r := e.GetResponse(); r != nil {
			resps = append(resps, r)
		}
	}
	sum := evs[len(evs)-1].GetSummary()
	if sum == nil {
		t.Fatalf("last event %v, want Summary", evs[len(evs)-1])
	}
	return resps, sum
}

// cannedServer answers the nth connection with the nth of replies, raw, and
// closes it; an empty reply closes at once, and "hang" holds the connection
// until the test ends. Each request head received is sent on the channel.
func cannedServer(t *testing.T, replies ...string) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	heads := make(chan string, len(replies))
	go func() {
		for _, reply := range replies {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { nc.Close() })
			nc.SetDeadline(time.Now().Add(guard))
			var head strings.Builder
			tp := textproto.NewReader(bufio.NewReader(nc))
			for {
				line, err := tp.ReadLine()
				head.WriteString(line + "\r\n")
				if err != nil || line == "" {
					break
				}
			}
			heads <- head.String()
			if reply == "hang" {
				continue
			}
			fmt.Fprint(nc, reply)
			nc.Close()
		}
	}()
	return ln.Addr().String(), heads
}

func TestFetchResponses(t *testing.T) {
	big := strings.Repeat("x", maxShownBody+100)
	tests := []struct {
		name       string
		reply      string
		status     uint32
		statusLine string
		headers    []string // "Name: value", in order
		body       string
		bodySize   int // when not len(body)
		err        string
	}{
		{name: "Content-Length", reply: "HTTP/1.1 200 OK\r\nB: 1\r\nContent-Length: 5\r\nA:  2 \r\nB: 3\r\n\r\nhello",
			status: 200, statusLine: "HTTP/1.1 200 OK", headers: []string{"B: 1", "Content-Length: 5", "A: 2", "B: 3"}, body: "hello"},
		{name: "chunked", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
			status: 200, statusLine: "HTTP/1.1 200 OK", headers: []string{"Transfer-Encoding: chunked"}, body: "hello world"},
		{name: "until close", reply: "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end",
			status: 200, statusLine: "HTTP/1.0 200 OK", headers: []string{"Content-Type: text/plain"}, body: "to the end"},
		{name: "interim response", reply: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
			status: 200, statusLine: "HTTP/1.1 200 OK", headers: []string{"Content-Length: 2"}, body: "ok"},
		{name: "no reason phrase, no body", reply: "HTTP/1.1 204\r\nX: y\r\n\r\n",
			status: 204, statusLine: "HTTP/1.1 204", headers: []string{"X: y"}},
		{name: "bare LF", reply: "HTTP/1.1 404 Not Found\nContent-Length: 4\n\ngone",
			status: 404, statusLine: "HTTP/1.1 404 Not Found", headers: []string{"Content-Length: 4"}, body: "gone"},
		{name: "body larger than shown", reply: "HTTP/1.1 200 OK\r\n\r\n" + big,
			status: 200, statusLine: "HTTP/1.1 200 OK", body: big[:maxShownBody], bodySize: len(big)},
		{name: "short body", reply: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
			status: 200, statusLine: "HTTP/1.1 200 OK", headers: []string{"Content-Length: 10"}, body: "hello", err: "read body after 5 bytes"},
		{name: "bad chunk", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
			status: 200, statusLine: "HTTP/1.1 200 OK", headers: []string{"Transfer-Encoding: chunked"}, err: "read body"},
		{name: "two lengths", reply: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
			status: 200, statusLine: "HTTP/1.1 200 OK", headers: []string{"Content-Length: 2", "Content-Length: 3"}, err: "invalid Content-Length"},
		{name: "malformed header", reply: "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
			status: 200, statusLine: "HTTP/1.1 200 OK", err: "malformed header line"},
		{name: "malformed status line", reply: "HTTP/1.1 OK\r\n\r\n", err: "malformed status line"},
		{name: "not HTTP", reply: "SSH-2.0-OpenSSH_9.2\r\n", err: "malformed status line"},
		{name: "head cut short", reply: "HTTP/1.1 200 OK\r\nContent-", status: 200, statusLine: "HTTP/1.1 200 OK", err: "unexpected EOF"},
		{name: "no reply", reply: "", err: "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, heads := cannedServer(t, tt.reply)
			cfg := clientConfig(addr, "/x?y=1")
			cfg.ShowBody = true
			resps, _ := fetch(t, context.Background(), cfg)
			r := resps[0]
			if !strings.Contains(r.Error, tt.err) || tt.err == "" && r.Error != "" {
				t.Errorf("error %q, want %q", r.Error, tt.err)
			}
			if r.Status != tt.status || r.StatusLine != tt.statusLine {
				t.Errorf("status %d %q, want %d %q", r.Status, r.StatusLine, tt.status, tt.statusLine)
			}
			var headers []string
			for _, h := range r.Headers {
				headers = append(headers, h.Name+": "+h.Value)
			}
			if strings.Join(headers, "\n") != strings.Join(tt.headers, "\n") {
				t.Errorf("headers %q, want %q", headers, tt.headers)
			}
			size := tt.bodySize
			if size == 0 {
				size = len(tt.body)
			}
			if string(r.Body) != tt.body || r.BodySize != uint64(size) {
				t.Errorf("body %.40q (%d bytes), want %.40q (%d bytes)", r.Body, r.BodySize, tt.body, size)
			}
			if r.Path != "/x?y=1" || r.Duration.AsDuration() <= 0 {
				t.Errorf("path %q, duration %v", r.Path, r.Duration.AsDuration())
			}
			want := "GET /x?y=1 HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: socklab-web-client\r\nAccept: */*\r\nConnection: close\r\n\r\n"
			if head := <-heads; head != want {
				t.Errorf("request %q, want %q", head, want)
			}
		})
	}
}

// TestFetchGoesOn: a failed exchange is reported and the next path tried.
func TestFetchGoesOn(t *testing.T) {
	addr, _ := cannedServer(t, "garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 500 Oops\r\n\r\n", "hang")
	cfg := clientConfig(addr, "/a", "b", "/c", "/d")
	cfg.Timeout = durationpb.New(200 * time.Millisecond)
	resps, sum := fetch(t, context.Background(), cfg)
	var got []string
	for _, r := range resps {
		got = append(got, fmt.Sprintf("%s %d %v", r.Path, r.Status, r.Error != ""))
	}
	want := []string{"/a 0 true", "/b 200 false", "/c 500 false", "/d 0 true"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("responses %q, want %q", got, want)
	}
	if !strings.Contains(resps[3].Error, "no whole response within 200ms") {
		t.Errorf("timeout error %q", resps[3].Error)
	}
	if sum.Requests != 4 || sum.Ok != 1 || sum.Failed != 3 {
		t.Errorf("summary %v", sum)
	}
}

func TestFetchConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	resps, sum := fetch(t, context.Background(), clientConfig(addr, "/a", "/b"))
	for _, r := range resps {
		if !strings.Contains(r.Error, "connection refused") {
			t.Errorf("%s: error %q", r.Path, r.Error)
		}
	}
	if len(resps) != 2 || sum.Failed != 2 {
		t.Errorf("%d responses, summary %v", len(resps), sum)
	}
}

func TestFetchCancel(t *testing.T) {
	addr, heads := cannedServer(t, "hang", "hang")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-heads
		cancel()
	}()
	resps, sum := fetch(t, ctx, clientConfig(addr, "/a", "/b"))
	if len(resps) != 1 || !strings.Contains(resps[0].Error, "cancelled") {
		t.Errorf("responses %v, want one cancelled", resps)
	}
	if sum.Requests != 1 || sum.Failed != 1 {
		t.Errorf("summary %v", sum)
	}
}

func TestFetchFromReferenceServer(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	cfg := clientConfig(ts.addr, "/HelloWorld.html", "/missing", "style.css", "/sub", "/big.bin")
	cfg.ShowBody = true
	resps, sum := fetch(t, context.Background(), cfg)
	want := []struct {
		path   string
		status uint32
		size   int
	}{{"/HelloWorld.html", 200, len(helloPage)}, {"/missing", 404, -1}, {"/style.css", 200, 21}, {"/sub", 301, -1}, {"/big.bin", 200, 1 << 20}}
	for i, w := range want {
		r := resps[i]
		if r.Path != w.path || r.Status != w.status || r.Error != "" || w.size >= 0 && r.BodySize != uint64(w.size) {
			t.Errorf("response %d: %s %d %d bytes (%q), want %s %d %d bytes", i, r.Path, r.Status, r.BodySize, r.Error, w.path, w.status, w.size)
		}
	}
	if string(resps[0].Body) != helloPage || !strings.Contains(string(resps[1].Body), "404 Not Found") {
		t.Errorf("bodies %q and %q", resps[0].Body, resps[1].Body)
	}
	var names []string
	for _, h := range resps[0].Headers {
		names = append(names, h.Name)
	}
	if got := strings.Join(names, " "); got != "Server Date Connection Content-Type Content-Length Last-Modified" {
		t.Errorf("headers in the order %s", got)
	}
	if sum.Requests != 5 || sum.Ok != 3 || sum.Failed != 1 {
		t.Errorf("summary %v", sum)
	}
	if srv := ts.summary(t); srv.Connections != 5 || srv.Requests != 5 {
		t.Errorf("server summary %v: one connection per request expected", srv)
	}
}

func TestFetchHead(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	cfg := clientConfig(ts.addr, "/big.bin")
	cfg.Method = "HEAD"
	resps, _ := fetch(t, context.Background(), cfg)
	r := resps[0]
	if r.Status != 200 || r.BodySize != 0 || r.Error != "" {
		t.Errorf("HEAD: %d, %d bytes, %q", r.Status, r.BodySize, r.Error)
	}
	if reqs := ts.waitRequests(t, 1); reqs[0].Method != "HEAD" {
		t.Errorf("server saw %v", reqs[0])
	}
}

func TestFetchConfigErrors(t *testing.T) {
	good := func() *pb.WebClientConfig { return clientConfig("127.0.0.1:1", "/") }
	testBadConfigs(t, good, []badConfig[*pb.WebClientConfig]{
		{"no server", func(c *pb.WebClientConfig) { c.Server = "" }, "server"},
		{"no port", func(c *pb.WebClientConfig) { c.Server = "127.0.0.1" }, "server"},
		{"no paths", func(c *pb.WebClientConfig) { c.Paths = nil }, "no paths"},
		{"empty path", func(c *pb.WebClientConfig) { c.Paths = []string{""} }, "path"},
		{"path with a space", func(c *pb.WebClientConfig) { c.Paths = []string{"/a b"} }, "path"},
		{"path with CRLF", func(c *pb.WebClientConfig) { c.Paths = []string{"/a\r\nX: y"} }, "path"},
		{"empty method", func(c *pb.WebClientConfig) { c.Method = "" }, "method"},
		{"method with a space", func(c *pb.WebClientConfig) { c.Method = "GET /" }, "method"},
		{"no timeout", func(c *pb.WebClientConfig) { c.Timeout = nil }, "timeout"},
		{"negative timeout", func(c *pb.WebClientConfig) { c.Timeout = durationpb.New(-time.Second) }, "timeout"},
	}, func(cfg *pb.WebClientConfig, events *int) error {
		return Fetch(context.Background(), cfg, sdk.NewWebClientEvents(func(*pb.WebClientEvent) { *events++ }))
	})
}
