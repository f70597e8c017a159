package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// guard bounds every wait; it is a failure guard, never a speed claim.
const guard = 30 * time.Second

// docRoot makes a document root with a file, a directory with an index, and
// a symlink to a file outside the root.
func docRoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	for name, body := range map[string]string{
		"secret.txt":          "not for the web",
		"www/hello.html":      "<p>hi</p>",
		"www/docs/index.html": "<p>index</p>",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../secret.txt", filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	return root
}

// exchange sends a raw request on a new connection and returns all the
// server sent back before closing it.
func exchange(t *testing.T, addr, request string) (string, error) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(guard))
	if _, err := io.WriteString(conn, request); err != nil {
		return "", err
	}
	response, err := io.ReadAll(conn)
	return string(response), err
}

// TestServer sends the server good, bad and hostile requests, one
// connection each, in both concurrency modes, and checks each answer, each
// Request event and the Summary.
func TestServer(t *testing.T) {
	tests := []struct {
		name    string
		request string
		status  uint32
		answer  string // the start of the response
		body    string // the whole body, for a 200
	}{
		{"file", "GET /hello.html HTTP/1.1\r\nHost: a\r\n\r\n", 200, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 9\r\n", "<p>hi</p>"},
		{"HTTP/1.0", "GET /hello.html HTTP/1.0\r\n\r\n", 200, "HTTP/1.1 200 OK\r\n", "<p>hi</p>"},
		{"head", "HEAD /hello.html HTTP/1.1\r\nHost: a\r\n\r\n", 200, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 9\r\n", ""},
		{"directory", "GET /docs/ HTTP/1.1\r\nHost: a\r\n\r\n", 200, "HTTP/1.1 200 OK\r\n", "<p>index</p>"},
		{"query", "GET /hello.html?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 200, "HTTP/1.1 200 OK\r\n", "<p>hi</p>"},
		{"missing", "GET /missing.html HTTP/1.1\r\nHost: a\r\n\r\n", 404, "HTTP/1.1 404 Not Found\r\n", ""},
		{"dot dot", "GET /../secret.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404, "HTTP/1.1 404 Not Found\r\n", ""},
		{"encoded dot dot", "GET /%2e%2e/secret.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404, "HTTP/1.1 404 Not Found\r\n", ""},
		{"symlink out", "GET /link.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404, "HTTP/1.1 404 Not Found\r\n", ""},
		{"other method", "DELETE /hello.html HTTP/1.1\r\nHost: a\r\n\r\n", 405, "HTTP/1.1 405 Method Not Allowed\r\n", ""},
		{"no version", "GET /hello.html\r\n\r\n", 400, "HTTP/1.1 400 Bad Request\r\n", ""},
		{"not HTTP", "hello there\r\n\r\n", 400, "HTTP/1.1 400 Bad Request\r\n", ""},
	}
	for _, concurrency := range []pb.Concurrency{pb.Concurrency_CONCURRENCY_PER_CONNECTION, pb.Concurrency_CONCURRENCY_ONE_AT_A_TIME} {
		t.Run(concurrency.String(), func(t *testing.T) {
			events := make(chan *pb.WebServerEvent, 100)
			out := sdk.NewWebServerEvents(func(ev *pb.WebServerEvent) { events <- ev })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := &pb.WebServerConfig{
				Listen: "127.0.0.1:0", Root: docRoot(t), Concurrency: concurrency,
				ReadTimeout: durationpb.New(200 * time.Millisecond), MaxHeaderBytes: 1024, ReportRequests: true,
			}
			done := make(chan error, 1)
			go func() { done <- server{}.Run(ctx, cfg, out) }()
			next := func() *pb.WebServerEvent {
				t.Helper()
				select {
				case ev := <-events:
					return ev
				case <-time.After(guard):
					t.Fatal("no event")
					return nil
				}
			}
			addr := next().GetReady().GetAddress()
			if addr == "" {
				t.Fatal("the first event is not Ready")
			}

			for _, tt := range tests {
				response, err := exchange(t, addr, tt.request)
				_, body, _ := strings.Cut(response, "\r\n\r\n")
				if err != nil || !strings.HasPrefix(response, tt.answer) || tt.status == 200 && body != tt.body {
					t.Errorf("%s: got %q, %v; want %q... with body %q", tt.name, response, err, tt.answer, tt.body)
				}
				req := next().GetRequest()
				if req.GetStatus() != tt.status || req.GetBytes() != uint64(len(body)) || (tt.status == 200) != (req.GetReason() == "") {
					t.Errorf("%s: reported %v, want status %d and %d bytes", tt.name, req, tt.status, len(body))
				}
			}
			// A head over max_header_bytes is refused. The server closes with
			// the rest of it unread, which resets the connection: the
			// client may never read the answer.
			exchange(t, addr, "GET / HTTP/1.1\r\nX: "+strings.Repeat("a", 5000)+"\r\n\r\n")
			if req := next().GetRequest(); req.GetStatus() != 400 || req.GetReason() == "" {
				t.Errorf("head too large: reported %v", req)
			}
			// A client that goes silent mid-request is cut off by the read
			// timeout; one that sends nothing and leaves is no request.
			if response, err := exchange(t, addr, "GET /hello.html HT"); response != "" || err != nil {
				t.Errorf("silent client got %q, %v", response, err)
			}
			if req := next().GetRequest(); req.GetStatus() != 0 || req.GetReason() == "" {
				t.Errorf("silent client reported %v", req)
			}
			exchange(t, addr, "")

			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			sum := next().GetSummary()
			if sum == nil {
				t.Fatal("the last event is not Summary")
			}
			if want := uint64(len(tests) + 3); sum.GetConnections() != want || sum.GetRequests() != want-1 ||
				sum.GetByStatus()[200] != 5 || sum.GetByStatus()[404] != 4 || sum.GetByStatus()[400] != 3 || sum.GetByStatus()[0] != 1 {
				t.Errorf("summary %v", sum)
			}
			if len(events) > 0 {
				t.Errorf("%d events after Summary", len(events))
			}
		})
	}
}
