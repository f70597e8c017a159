package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDefaultMaxConnections(t *testing.T) {
	for _, tc := range []struct {
		nofile uint64
		want   int
	}{
		{0, 10000}, {1, 1}, {256, 192}, {1024, 768}, {1 << 20, 10000},
	} {
		if got := defaultMaxConnections(tc.nofile); got != tc.want {
			t.Errorf("defaultMaxConnections(%d) = %d, want %d", tc.nofile, got, tc.want)
		}
	}
}

// busy opens a connection the server is busy with: a request answered
// and the start of the next one, pipelined in the same write, so that the
// server holds part of a request once the first answer has come. At the
// cap it takes an idle connection's place; the server marks a connection
// idle just after its answer, so a newcomer may come first and be
// refused: it tries again.
func busy(t *testing.T, addr string) *client {
	t.Helper()
	for range 50 {
		c := dial(t, addr)
		c.send(get("/a.txt") + "GET /a.txt HTTP/1.1\r\n")
		resp, _ := c.read("GET")
		switch resp.StatusCode {
		case http.StatusOK:
			return c
		case http.StatusServiceUnavailable:
			time.Sleep(10 * time.Millisecond)
		default:
			t.Fatalf("busy connection: %s", resp.Status)
		}
	}
	t.Fatal("busy connection: refused 50 times with an idle connection at the cap")
	return nil
}

// TestConnectionCap: at max_connections a new connection takes the place
// of an idle one; with every connection busy it is answered 503 and
// counted as refused, and the server serves again once one is free.
func TestConnectionCap(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"a.txt": "hello"})
	cfg := serverConfig(root)
	cfg.MaxConnections = 3
	ts := startServer(t, cfg)

	// Two busy connections and an idle one (kept alive after a request).
	b1, b2 := busy(t, ts.addr), busy(t, ts.addr)
	idle := dial(t, ts.addr)
	if resp, _ := idle.roundTrip("GET", get("/a.txt")); resp.StatusCode != 200 {
		t.Fatalf("idle connection's request: %s", resp.Status)
	}
	// The idle one makes room. The server marks it idle just after its
	// answer, so a newcomer may come first and be refused: try again.
	var status int
	for range 50 {
		resp, _ := dial(t, ts.addr).roundTrip("GET", get("/a.txt"))
		if status = resp.StatusCode; status == 200 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status != 200 {
		t.Fatalf("with an idle connection at the cap, a new one got %d", status)
	}
	idle.expectClosed()

	// Now three busy ones: the next is refused, cleanly.
	b3 := busy(t, ts.addr)
	refused := dial(t, ts.addr)
	refused.send(get("/a.txt"))
	resp, body := refused.read("GET")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, "too many connections") {
		t.Errorf("past the cap: %s %v %q", resp.Status, resp.Header, body)
	}
	refused.expectClosed()

	// One busy connection finishes: room again.
	b1.send("Host: t\r\nConnection: close\r\n\r\n")
	if resp, _ := b1.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("finishing a busy connection: %s", resp.Status)
	}
	b1.expectClosed()
	for range 50 {
		resp, _ := dial(t, ts.addr).roundTrip("GET", get("/a.txt"))
		if status = resp.StatusCode; status == 200 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status != 200 {
		t.Fatalf("after a connection closed, a new one got %d", status)
	}
	b2.nc.Close()
	b3.nc.Close()

	sum := ts.summary(t)
	if sum.GetEvicted() < 1 || sum.GetRefused() < 1 {
		t.Errorf("summary: %v; want evicted and refused counted", sum)
	}
	warned := 0
	for _, e := range ts.events.all() {
		if strings.HasPrefix(e.GetLog().GetMessage(), "max_connections (3) are open and busy") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("%d warnings of refusals, want 1", warned)
	}
}
