package main

// Integration tests of the Simple Web Server labs in examples/ and of a web
// client through an impaired link: the real host, the reference and student
// plugins as subprocesses, loopback sockets. Responses are checked byte for
// byte against the files served.

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// wwwFile reads a file of examples/www.
func wwwFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "examples/www", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// header returns the value of a response's header, "" if absent.
func header(r *pb.WebResponse, name string) string {
	for _, h := range r.GetHeaders() {
		if strings.EqualFold(h.GetName(), name) {
			return h.GetValue()
		}
	}
	return ""
}

// wantFile checks that a response is a 200 carrying exactly file, of type
// contentType.
func wantFile(t *testing.T, r *pb.WebResponse, path string, file []byte, contentType string) {
	t.Helper()
	switch {
	case r.GetPath() != path || r.GetError() != "" || r.GetStatus() != 200 || !strings.HasPrefix(r.GetStatusLine(), "HTTP/1.1 200 "):
		t.Errorf("%s: got %s %q (%d), error %q", path, r.GetPath(), r.GetStatusLine(), r.GetStatus(), r.GetError())
	case !bytes.Equal(r.GetBody(), file) || r.GetBodySize() != uint64(len(file)):
		t.Errorf("%s: body of %d bytes (body_size %d) differs from the file's %d bytes", path, len(r.GetBody()), r.GetBodySize(), len(file))
	case header(r, "Content-Length") != fmt.Sprint(len(file)) || header(r, "Content-Type") != contentType:
		t.Errorf("%s: headers %v, want Content-Length %d and Content-Type %q", path, r.GetHeaders(), len(file), contentType)
	}
}

// wantNotFound checks that a response is a 404 with an HTML page saying so.
func wantNotFound(t *testing.T, r *pb.WebResponse, path string) {
	t.Helper()
	if r.GetPath() != path || r.GetError() != "" || r.GetStatus() != 404 || r.GetStatusLine() != "HTTP/1.1 404 Not Found" ||
		!bytes.Contains(r.GetBody(), []byte("404 Not Found")) || r.GetBodySize() != uint64(len(r.GetBody())) ||
		header(r, "Content-Length") != fmt.Sprint(len(r.GetBody())) || !strings.HasPrefix(header(r, "Content-Type"), "text/html") {
		t.Errorf("%s: got %s %q, error %q, headers %v, body %q", path, r.GetPath(), r.GetStatusLine(), r.GetError(), r.GetHeaders(), r.GetBody())
	}
}

// requestLines describes a web server's Request events: "GET /a HTTP/1.1
// 200 325", "... 404 107 with a reason" for a refusal (servers word their
// reasons differently), and any other reason in full.
func requestLines(t *testing.T, r hostRun, server string) []string {
	t.Helper()
	var got []string
	for _, ev := range eventsOf[pb.WebRequest](t, r, server, "request") {
		q := ev.msg
		s := fmt.Sprintf("%s %s %s %d %d", q.GetMethod(), q.GetTarget(), q.GetProto(), q.GetStatus(), q.GetBytes())
		switch {
		case q.GetStatus() != 200 && q.GetReason() != "":
			s += " with a reason"
		case q.GetReason() != "":
			s += " reason " + q.GetReason()
		}
		got = append(got, s)
	}
	return got
}

// messages returns the lines the host showed for a component's events of
// one kind.
func messages(r hostRun, component, kind string) []string {
	var got []string
	for _, ev := range r.events(component, kind) {
		got = append(got, ev["message"].(string))
	}
	return got
}

// TestWebLabs runs the example web labs: whichever side is the student's,
// the client gets HelloWorld.html and /docs/'s index.html byte for byte
// with their headers, and a 404 for a missing file; the server reports
// each request and the totals.
func TestWebLabs(t *testing.T) {
	hello, index := wwwFile(t, "HelloWorld.html"), wwwFile(t, "docs/index.html")
	const html = "text/html; charset=utf-8"
	tests := []struct {
		lab            string
		server, client string
	}{
		{"web-fetch.hcl", "server", "client"},
		{"web-student-server.hcl", "student", "reference"},
		{"web-student-client.hcl", "reference", "student"},
	}
	for _, tt := range tests {
		t.Run(tt.lab, func(t *testing.T) {
			r := runExample(t, tt.lab)
			resp := eventsOf[pb.WebResponse](t, r, tt.client, "response")
			if len(resp) != 3 {
				t.Fatalf("%d responses, want 3:\n%s", len(resp), r.stdout)
			}
			wantFile(t, resp[0].msg, "/HelloWorld.html", hello, html)
			wantFile(t, resp[1].msg, "/docs/", index, html)
			wantNotFound(t, resp[2].msg, "/missing.html")
			notFound := len(resp[2].msg.GetBody())

			// A server with a goroutine per connection may report a
			// connection's request after the next one's: compare as sets.
			served := requestLines(t, r, tt.server)
			slices.SortFunc(served, byRequestOrder)
			checkReport(t, tt.server+" requests", served, []string{
				fmt.Sprintf("GET /HelloWorld.html HTTP/1.1 200 %d", len(hello)),
				fmt.Sprintf("GET /docs/ HTTP/1.1 200 %d", len(index)),
				fmt.Sprintf("GET /missing.html HTTP/1.1 404 %d with a reason", notFound),
			})
			sum := summaryOf[pb.WebServerSummary](t, r, tt.server)
			if sum.GetConnections() != 3 || sum.GetRequests() != 3 || fmt.Sprint(sum.GetByStatus()) != "map[200:2 404:1]" ||
				sum.GetBytes() != uint64(len(hello)+len(index)+notFound) {
				t.Errorf("server summary %v", sum)
			}
			if sum := summaryOf[pb.WebClientSummary](t, r, tt.client); sum.GetRequests() != 3 || sum.GetOk() != 2 || sum.GetFailed() != 1 {
				t.Errorf("client summary %v", sum)
			}
			// What the host showed, in the sheet's words.
			requests := messages(r, tt.server, "request")
			slices.SortFunc(requests, byRequestOrder)
			shown := append(requests, messages(r, tt.client, "response")...)
			for i, prefix := range []string{
				fmt.Sprintf("GET /HelloWorld.html HTTP/1.1 -> 200 (%d bytes, ", len(hello)),
				"GET /docs/ HTTP/1.1 -> 200 (",
				fmt.Sprintf("GET /missing.html HTTP/1.1 -> 404 (%d bytes, ", notFound),
				fmt.Sprintf("HTTP/1.1 200 OK  /HelloWorld.html  %d bytes  [", len(hello)),
				fmt.Sprintf("HTTP/1.1 200 OK  /docs/  %d bytes  [", len(index)),
				fmt.Sprintf("HTTP/1.1 404 Not Found  /missing.html  %d bytes  [", notFound),
			} {
				if i >= len(shown) || !strings.HasPrefix(shown[i], prefix) {
					t.Errorf("shown %q, want lines starting %q", shown, prefix)
					break
				}
			}
		})
	}
}

// byRequestOrder sorts a server's request lines in the order the example
// client sends them.
func byRequestOrder(a, b string) int {
	rank := func(line string) int {
		for i, path := range []string{"/HelloWorld.html ", "/docs/ ", "/missing.html "} {
			if strings.Contains(line, path) {
				return i
			}
		}
		return 3
	}
	return cmp.Compare(rank(a), rank(b))
}

// TestWebLabServesUntilInterrupted runs examples/web.hcl, the sheet's
// server with no client, as a browser would use it: Go's HTTP client gets
// HelloWorld.html and a 404, then Ctrl-C ends the lab with the server's
// summary.
func TestWebLabServesUntilInterrupted(t *testing.T) {
	h := startHostIn(t, "", nil, "run", "--json", "--var", "port=0", filepath.Join(repoRoot(t), "examples", "web.hcl"))
	var addr string
	h.await(t, func(l map[string]any) bool {
		if l["component"] != "server" || l["kind"] != "ready" {
			return false
		}
		addr = l["event"].(map[string]any)["address"].(string)
		return true
	})
	browser := &http.Client{Timeout: guard}
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := browser.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	hello := wwwFile(t, "HelloWorld.html")
	if resp, body := get("/HelloWorld.html"); resp.StatusCode != 200 || !bytes.Equal(body, hello) ||
		resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.ContentLength != int64(len(hello)) {
		t.Errorf("/HelloWorld.html: %s %v, %d bytes", resp.Status, resp.Header, len(body))
	}
	resp, notFound := get("/nope.html")
	if resp.StatusCode != 404 || !bytes.Contains(notFound, []byte("404 Not Found")) {
		t.Errorf("/nope.html: %s %q", resp.Status, notFound)
	}
	browser.CloseIdleConnections()
	if err := h.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := h.wait(t)
	// A lab of servers alone runs until stopped: Ctrl-C is its normal end.
	if r.exit != 0 || !interrupted(r) {
		t.Fatalf("exit %d, interrupted %v; want 0 and true\n%s", r.exit, interrupted(r), r.stderr)
	}
	if res := r.result(t, "server"); res["ok"] != true {
		t.Errorf("server after Ctrl-C: %v", res)
	}
	checkReport(t, "server requests", requestLines(t, r, "server"), []string{
		fmt.Sprintf("GET /HelloWorld.html HTTP/1.1 200 %d", len(hello)),
		fmt.Sprintf("GET /nope.html HTTP/1.1 404 %d with a reason", len(notFound)),
	})
	if sum := summaryOf[pb.WebServerSummary](t, r, "server"); sum.GetRequests() != 2 || fmt.Sprint(sum.GetByStatus()) != "map[200:1 404:1]" {
		t.Errorf("server summary %v", sum)
	}
}

// interrupted is what the result line says of the run.
func interrupted(r hostRun) bool {
	for _, l := range r.lines {
		if l["kind"] == "result" {
			return l["interrupted"] == true
		}
	}
	return false
}

// TestWebLabEndsAfterItsDuration: with --var duration, examples/web.hcl
// ends by itself, successfully, with the server's summary.
func TestWebLabEndsAfterItsDuration(t *testing.T) {
	r := startHostIn(t, "", nil, "run", "--json", "--var", "port=0", "--var", "duration=500ms", filepath.Join(repoRoot(t), "examples", "web.hcl")).wait(t)
	if r.exit != 0 || interrupted(r) {
		t.Fatalf("exit %d, interrupted %v\n%s", r.exit, interrupted(r), r.stderr)
	}
	if sum := summaryOf[pb.WebServerSummary](t, r, "server"); sum.GetRequests() != 0 {
		t.Errorf("server summary %v", sum)
	}
}

// TestWebClientThroughASlicingLink: through a link that slices the stream
// into writes of at most 100 bytes and paces it at 200 kB/s, a web client
// still gets a file of a few hundred KiB byte for byte, and the link's
// report shows the thousands of segments it took.
func TestWebClientThroughASlicingLink(t *testing.T) {
	const segment = 100
	root := t.TempDir()
	big := make([]byte, 300<<10)
	rand.NewChaCha8([32]byte{7}).Read(big)
	if err := os.WriteFile(filepath.Join(root, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, plugin string }{
		{"reference client", ""},
		{"student client", goPlugin(t, "examples/web-client")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lab := fmt.Sprintf(`
web_server "server" {
  listen = "127.0.0.1:0"
  root   = %q
}
web_client "client" {
  server    = web_server.server.address
  paths     = ["/big.bin"]
  show_body = true
  timeout   = "60s" # a failure guard: the transfer takes about 1.5 s
  link {
    max_segment = %d
    bandwidth   = 200000
  }
  %s
}
`, root, segment, tt.plugin)
			r := runHost(t, lab, "-v")
			if r.exit != 0 {
				t.Fatalf("exit %d\n%s", r.exit, r.stderr)
			}
			resp := eventsOf[pb.WebResponse](t, r, "client", "response")
			if len(resp) != 1 {
				t.Fatalf("%d responses, want 1", len(resp))
			}
			wantFile(t, resp[0].msg, "/big.bin", big, "application/octet-stream")
			checkReport(t, "server requests", requestLines(t, r, "server"), []string{fmt.Sprintf("GET /big.bin HTTP/1.1 200 %d", len(big))})

			var link struct {
				ToServer   linkDir `json:"to_server"`
				ToClient   linkDir `json:"to_client"`
				EventsLost uint64  `json:"events_lost"`
			}
			raw, _ := json.Marshal(r.result(t, "client")["link"])
			if err := json.Unmarshal(raw, &link); err != nil {
				t.Fatalf("link summary %s: %v", raw, err)
			}
			toClient := link.ToClient
			if toClient.DeliveredBytes <= uint64(len(big)) || toClient.Delivered < toClient.DeliveredBytes/segment ||
				toClient.Dropped != 0 || toClient.Resets != 0 || link.ToServer.Resets != 0 {
				t.Errorf("link summary %s: want every byte of the response delivered in segments of at most %d bytes", raw, segment)
			}
			// Every segment, as the link recorded it.
			var segments, delivered uint64
			for _, ev := range r.events("client", "link") {
				l := ev["link"].(map[string]any)
				if size := uint64(l["size"].(float64)); size > segment {
					t.Fatalf("a segment of %d bytes: %v", size, l)
				} else if l["dir"] == "to-client" {
					segments++
					delivered += size
				}
			}
			if link.EventsLost == 0 && (segments != toClient.Delivered || delivered != toClient.DeliveredBytes) {
				t.Errorf("link events show %d segments, %d bytes to the client; its summary %s", segments, delivered, raw)
			}
		})
	}
}
