package link

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"
)

// noLeaks fails the test if goroutines started during it are still running
// once its cleanups are done. Call it first, so its check runs last.
func noLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Fatalf("goroutines leaked: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// recorder is a Sink that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) sink(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

// get returns the events so far in direction d.
func (r *recorder) get(d Direction) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, ev := range r.events {
		if ev.Dir == d {
			out = append(out, ev)
		}
	}
	return out
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// udpServer is a UDP echo server that remembers what it received.
type udpServer struct {
	conn *net.UDPConn
	mu   sync.Mutex
	got  []string
	from map[netip.AddrPort]bool
}

func newUDPServer(t *testing.T, network, addr string) *udpServer {
	t.Helper()
	conn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
	if err != nil {
		t.Fatal(err)
	}
	s := &udpServer{conn: conn, from: map[netip.AddrPort]bool{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, maxDatagram)
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.got = append(s.got, string(buf[:n]))
			s.from[from] = true
			s.mu.Unlock()
			conn.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return s
}

func (s *udpServer) addr() string { return s.conn.LocalAddr().String() }

func (s *udpServer) sources() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.from)
}

func (s *udpServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// dialUDP returns a client socket connected to addr.
func dialUDP(t *testing.T, addr netip.AddrPort) *net.UDPConn {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ping sends msg and returns the reply, or "" after timeout.
func ping(t *testing.T, c *net.UDPConn, msg string, timeout time.Duration) string {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, maxDatagram)
	n, err := c.Read(buf)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

// startLink starts a link for the test and closes it at the end.
func startLink[L io.Closer](t *testing.T, newLink func(context.Context, Config) (L, error), cfg Config) L {
	t.Helper()
	l, err := newLink(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func startUDP(t *testing.T, cfg Config) *UDP { return startLink(t, NewUDP, cfg) }
func startTCP(t *testing.T, cfg Config) *TCP { return startLink(t, NewTCP, cfg) }

// seqs lists the Seq of events with the given fate flags.
func seqs(evs []Event, f Fate) []uint64 {
	var out []uint64
	for _, ev := range evs {
		if ev.Fate.Has(f) {
			out = append(out, ev.Seq)
		}
	}
	return out
}

func numbered(prefix string, i int) string { return fmt.Sprintf("%s %03d", prefix, i) }
