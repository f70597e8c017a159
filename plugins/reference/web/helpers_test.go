package web

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// guard bounds every wait in these tests. It only turns a hang into a
// failure: nothing is expected to take near this long.
const guard = 20 * time.Second

// serverConfig is the host's default config, on a free loopback port.
func serverConfig(root string) *pb.WebServerConfig {
	return &pb.WebServerConfig{
		Listen:         "127.0.0.1:0",
		Root:           root,
		Concurrency:    pb.Concurrency_CONCURRENCY_PER_CONNECTION,
		ReadTimeout:    durationpb.New(10 * time.Second),
		IdleTimeout:    durationpb.New(5 * time.Second),
		MaxHeaderBytes: 8192,
		ReportRequests: true,
	}
}

// recorder collects emitted events; emit may be called concurrently.
type recorder[E any] struct {
	mu     sync.Mutex
	events []E
	more   chan struct{} // signalled after each event
}

func newRecorder[E any]() *recorder[E] { return &recorder[E]{more: make(chan struct{}, 1)} }

func (r *recorder[E]) emit(e E) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.more <- struct{}{}:
	default:
	}
}

func (r *recorder[E]) all() []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]E(nil), r.events...)
}

// waitFor waits until ok holds for the events so far.
func (r *recorder[E]) waitFor(t testing.TB, what string, ok func([]E) bool) []E {
	t.Helper()
	timeout := time.After(guard)
	for {
		if evs := r.all(); ok(evs) {
			return evs
		}
		select {
		case <-r.more:
		case <-timeout:
			t.Fatalf("timed out waiting for %s; events: %v", what, r.all())
		}
	}
}

// testServer is a running Serve.
type testServer struct {
	addr   string
	events *recorder[*pb.WebServerEvent]
	stop   func() error // cancels Serve and returns its error
}

// startServer runs Serve with cfg until the test ends.
func startServer(t testing.TB, cfg *pb.WebServerConfig) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rec := newRecorder[*pb.WebServerEvent]()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, cfg, sdk.NewWebServerEvents(rec.emit)) }()
	var stopErr error
	var once sync.Once
	ts := &testServer{events: rec, stop: func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(guard):
				t.Fatal("Serve did not return after cancel")
			}
		})
		return stopErr
	}}
	t.Cleanup(func() { ts.stop() })
	evs := rec.waitFor(t, "Ready", func(evs []*pb.WebServerEvent) bool {
		return len(evs) > 0
	})
	if evs[0].GetReady() == nil {
		t.Fatalf("first event is %v, want Ready", evs[0])
	}
	ts.addr = evs[0].GetReady().GetAddress()
	return ts
}

// summary stops the server and returns its Summary, checking it came last.
func (ts *testServer) summary(t *testing.T) *pb.WebServerSummary {
	t.Helper()
	if err := ts.stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	evs := ts.events.all()
	last := evs[len(evs)-1].GetSummary()
	if last == nil {
		t.Fatalf("last event is %v, want Summary", evs[len(evs)-1])
	}
	return last
}

// requests returns the Request events so far.
func (ts *testServer) requests() []*pb.WebRequest {
	var reqs []*pb.WebRequest
	for _, e := range ts.events.all() {
		if r := e.GetRequest(); r != nil {
			reqs = append(reqs, r)
		}
	}
	return reqs
}

// waitRequests waits for n Request events.
func (ts *testServer) waitRequests(t *testing.T, n int) []*pb.WebRequest {
	t.Helper()
	ts.events.waitFor(t, "request events", func([]*pb.WebServerEvent) bool {
		return len(ts.requests()) >= n
	})
	return ts.requests()
}

// client is one raw connection to a server under test.
type client struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, guard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(guard))
	return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// read reads one response with net/http's client-side parser.
func (c *client) read(method string) (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	return resp, string(body)
}

// roundTrip sends one request and reads its response.
func (c *client) roundTrip(method, raw string) (*http.Response, string) {
	c.t.Helper()
	c.send(raw)
	return c.read(method)
}

// expectClosed checks the server closes the connection without sending more.
func (c *client) expectClosed() {
	c.t.Helper()
	n, err := c.br.Read(make([]byte, 1))
	if n > 0 || err == nil {
		c.t.Fatalf("read %d bytes, err %v; want the connection closed", n, err)
	}
	if os.IsTimeout(err) {
		c.t.Fatalf("the server did not close the connection: %v", err)
	}
}

// get is a plain HTTP/1.1 GET request for path.
func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n"
}

// writeTree writes files (path: content) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const helloPage = "<!DOCTYPE html>\n<html><head><title>Hello</title></head><body><h1>Hello, World!</h1></body></html>\n"

// testRoot makes a document root with the files the tests ask for, a big
// file, symlinks in and out of the root, and a FIFO.
func testRoot(t testing.TB) string {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "www")
	writeTree(t, base, map[string]string{
		"outside/secret.txt":     "secret",
		"www/HelloWorld.html":    helloPage,
		"www/style.css":          "h1 { color: green; }\n",
		"www/notes":              "plain words, no extension\n",
		"www/sub/index.html":     "<p>sub index</p>\n",
		"www/empty/.keep":        "",
		"www/with space.txt":     "spaced\n",
		"www/big.bin":            strings.Repeat("0123456789abcdef", 1<<16), // 1 MiB
		"www/%2e%2e/literal.txt": "not a parent\n",
	})
	for link, target := range map[string]string{
		"link-out": "../outside/secret.txt",
		"dir-out":  "../outside",
		"abs-out":  filepath.Join(base, "outside", "secret.txt"),
		"link-in":  "HelloWorld.html",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// badConfig is a config made bad, and a word the error must contain.
type badConfig[C any] struct {
	name   string
	change func(C)
	want   string
}

// testBadConfigs checks that start refuses each bad config with an error
// about it, before sending anything. start runs Serve or Fetch, counting
// events in *events.
func testBadConfigs[C any](t *testing.T, good func() C, cases []badConfig[C], start func(cfg C, events *int) error) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good()
			tt.change(cfg)
			var events int
			err := start(cfg, &events)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one about %s", err, tt.want)
			}
			if events != 0 {
				t.Errorf("%d events sent for a bad config", events)
			}
		})
	}
}
