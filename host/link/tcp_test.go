package link

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tcpServer accepts connections and runs handle on each.
func tcpServer(t *testing.T, handle func(*net.TCPConn)) string {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.AcceptTCP()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// echo sends back what it reads, then half-closes.
func echo(c *net.TCPConn) {
	io.Copy(c, c)
	c.CloseWrite()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{1}).Read(b)
	return b
}

func dialTCP(t *testing.T, l *TCP) *net.TCPConn {
	t.Helper()
	c, err := net.DialTCP("tcp", nil, net.TCPAddrFromAddrPort(l.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip writes data, half-closes, and returns all that comes back.
func roundTrip(t *testing.T, c *net.TCPConn, data []byte) []byte {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.CloseWrite()
		}
		errc <- err
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	return got
}

// checkSegments checks that the events of one direction cover the stream
// without gaps and returns their sizes.
func checkSegments(t *testing.T, evs []Event, total int) []int {
	t.Helper()
	var sizes []int
	off := 0
	for _, ev := range evs {
		if ev.Seq != uint64(off) || !ev.Fate.Has(Delivered) {
			t.Fatalf("event %v, want a delivered segment at offset %d", ev, off)
		}
		off += ev.Size
		sizes = append(sizes, ev.Size)
	}
	if off != total {
		t.Errorf("events cover %d bytes, want %d", off, total)
	}
	return sizes
}

func TestTCPCleanEcho(t *testing.T) {
	data := randomBytes(4 << 20)
	for _, tc := range []struct {
		name     string
		observed bool
	}{{"spliced", false}, {"observed", true}} {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			rec := &recorder{}
			cfg := Config{Target: tcpServer(t, echo)}
			if tc.observed {
				cfg.Sink = rec.sink
			}
			l := startTCP(t, cfg)
			if got := roundTrip(t, dialTCP(t, l), data); !bytes.Equal(got, data) {
				t.Fatalf("echo of %d bytes came back as %d different bytes", len(data), len(got))
			}
			l.Close()
			s := l.Summary()
			if s.Flows != 1 || s.ToServer.DeliveredBytes != uint64(len(data)) || s.ToClient.DeliveredBytes != uint64(len(data)) {
				t.Errorf("summary %v, want %d bytes each way", s, len(data))
			}
			if tc.observed {
				checkSegments(t, rec.get(ToServer), len(data))
				checkSegments(t, rec.get(ToClient), len(data))
			}
		})
	}
}

func TestTCPSlicedAndLimited(t *testing.T) {
	noLeaks(t)
	rec := &recorder{}
	const seg, rate = 512, 256 << 10
	im := Impairment{MaxSegment: seg, Bandwidth: rate}
	var mu sync.Mutex
	reads := 0
	target := tcpServer(t, func(c *net.TCPConn) {
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			mu.Lock()
			reads++
			mu.Unlock()
			if n > 0 {
				c.Write(buf[:n])
			}
			if err != nil {
				c.CloseWrite()
				return
			}
		}
	})
	l := startTCP(t, Config{Target: target, ToServer: im, ToClient: im, Sink: rec.sink})
	data := randomBytes(128 << 10)
	start := time.Now()
	if got := roundTrip(t, dialTCP(t, l), data); !bytes.Equal(got, data) {
		t.Fatalf("%d bytes came back as %d different bytes", len(data), len(got))
	}
	// Both directions run at once, each at least len/rate long.
	if elapsed, least := time.Since(start), time.Duration(len(data))*time.Second/rate; elapsed < least*9/10 {
		t.Errorf("transfer took %v, less than %v at %d B/s", elapsed, least, rate)
	}
	// Unsliced, a few reads would do; a slow reader may get two segments at once.
	mu.Lock()
	defer mu.Unlock()
	if reads < len(data)/seg/2 {
		t.Errorf("server needed %d reads, want about one per %d-byte segment", reads, seg)
	}
	l.Close()
	for _, d := range []Direction{ToServer, ToClient} {
		// A chunk whose size is not a multiple of seg ends in a shorter segment.
		sizes := checkSegments(t, rec.get(d), len(data))
		if len(sizes) < len(data)/seg || slices.Max(sizes) > seg {
			t.Errorf("%v: %d segments of up to %d bytes, want at least %d of at most %d", d, len(sizes), slices.Max(sizes), len(data)/seg, seg)
		}
	}
}

func TestTCPStall(t *testing.T) {
	noLeaks(t)
	rec := &recorder{}
	const after, stall = 1000, 300 * time.Millisecond
	data := randomBytes(3000)
	target := tcpServer(t, func(c *net.TCPConn) { c.Write(data); c.CloseWrite(); io.Copy(io.Discard, c) })
	l := startTCP(t, Config{Target: target, ToClient: Impairment{StallAfter: after, StallFor: stall}, Sink: rec.sink})
	c := dialTCP(t, l)
	c.CloseWrite()
	var got []byte
	var reachedAt, resumedAt time.Time
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if len(got) == after {
			reachedAt = time.Now()
		}
		if len(got) > after && resumedAt.IsZero() {
			resumedAt = time.Now()
		}
		if err != nil {
			break
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d different bytes, want the %d sent", len(got), len(data))
	}
	if reachedAt.IsZero() {
		t.Fatalf("no read ended at byte %d: the stall did not cut the stream there", after)
	}
	// Half the stall: a late read of byte 1000 shortens what we measure.
	if gap := resumedAt.Sub(reachedAt); gap < stall/2 {
		t.Errorf("stream paused %v after %d bytes, want about %v", gap, after, stall)
	}
	l.Close()
	evs := rec.get(ToClient)
	checkSegments(t, evs, len(data))
	if delayed := seqs(evs, Delayed); len(delayed) != 1 || delayed[0] != after {
		t.Errorf("delayed segments at %v, want one at %d", delayed, after)
	}
}

func TestTCPReset(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delay time.Duration
	}{{"at once", 0}, {"behind latency", 20 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			rec := &recorder{}
			const after, sent = 5000, 20000
			type result struct {
				n   int
				err error
			}
			results := make(chan result, 1)
			target := tcpServer(t, func(c *net.TCPConn) {
				n, err := io.Copy(io.Discard, c)
				results <- result{int(n), err}
			})
			l := startTCP(t, Config{Target: target, ToServer: Impairment{ResetAfter: after, Delay: tc.delay}, Sink: rec.sink})
			c := dialTCP(t, l)
			c.Write(randomBytes(sent))
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("client read: %v, want a connection reset", err)
			}
			r := <-results
			if r.n != after || !errors.Is(r.err, syscall.ECONNRESET) {
				t.Errorf("server read %d bytes then %v, want %d then a connection reset", r.n, r.err, after)
			}
			l.Close()
			evs := rec.get(ToServer)
			if resets := seqs(evs, Reset); len(resets) == 0 || resets[0] != after {
				t.Errorf("resets at %v, want the first at %d", resets, after)
			}
			cut := 0
			for _, ev := range evs {
				if ev.Fate == Reset {
					cut += ev.Size
				}
			}
			// What the link read but did not deliver is all accounted for;
			// the client's last bytes may not have been read at all.
			if s := l.Summary().ToServer; s.DeliveredBytes != after || after+cut > sent {
				t.Errorf("summary %+v and %d bytes cut off, want %d delivered of %d sent", s, cut, after, sent)
			}
		})
	}
}

func TestTCPLatencyKeepsOrder(t *testing.T) {
	noLeaks(t)
	rec := &recorder{}
	im := Impairment{Delay: 50 * time.Millisecond, Jitter: 30 * time.Millisecond}
	l := startTCP(t, Config{Target: tcpServer(t, echo), Seed: 5, ToServer: im, ToClient: im, Sink: rec.sink})
	c := dialTCP(t, l)
	start := time.Now()
	c.Write([]byte("hello"))
	if _, err := io.ReadFull(c, make([]byte, 5)); err != nil {
		t.Fatal(err)
	}
	if rtt := time.Since(start); rtt < 2*(im.Delay-im.Jitter) {
		t.Errorf("round trip %v, shorter than twice the least latency", rtt)
	}
	data := randomBytes(1 << 20)
	if got := roundTrip(t, c, data); !bytes.Equal(got, data) {
		t.Fatalf("jitter reordered the stream: %d bytes came back different", len(got))
	}
	l.Close()
	for _, ev := range rec.get(ToServer) {
		if !ev.Fate.Has(Delayed) || ev.Delay < im.Delay-im.Jitter {
			t.Errorf("%v: want delayed by at least %v", ev, im.Delay-im.Jitter)
		}
	}
}

func TestTCPNoServerResetsClient(t *testing.T) {
	noLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	rec := &recorder{}
	l := startTCP(t, Config{Target: closed, Sink: rec.sink})
	// The reset may come before the client's connect returns.
	c, err := net.DialTCP("tcp", nil, net.TCPAddrFromAddrPort(l.Addr()))
	if err == nil {
		_, err = c.Read(make([]byte, 1))
		c.Close()
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client got %v, want a connection reset", err)
	}
	l.Close()
	if evs := rec.get(ToServer); len(evs) != 1 || evs[0].Fate != Reset {
		t.Errorf("events %v, want one reset", evs)
	}
}

func TestTCPCloseResetsOpenConnections(t *testing.T) {
	noLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := NewTCP(ctx, Config{Target: tcpServer(t, echo), ToServer: Impairment{Delay: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	c := dialTCP(t, l)
	c.Write([]byte("stuck in the link"))
	waitFor(t, "the connection to be proxied", func() bool { return l.Summary().Flows == 1 })
	cancel()
	l.Close() // only waits: the context has ended the link
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client read after close: %v, want a connection reset", err)
	}
	if c2, err := net.DialTCP("tcp", nil, net.TCPAddrFromAddrPort(l.Addr())); err == nil {
		c2.Close()
		t.Error("the link still accepts connections after close")
	}
}

func TestConfigRejected(t *testing.T) {
	for _, tc := range []struct {
		name  string
		proto string
		im    Impairment
	}{
		{"loss above one", "udp", Impairment{Loss: 1.5}},
		{"negative delay", "udp", Impairment{Delay: -time.Second}},
		{"bandwidth on udp", "udp", Impairment{Bandwidth: 1000}},
		{"loss on tcp", "tcp", Impairment{Loss: 0.1}},
		{"reorder on tcp", "tcp", Impairment{Reorder: 0.1}},
		{"negative segment", "tcp", Impairment{MaxSegment: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Name: "bad", Target: "127.0.0.1:9", ToClient: tc.im}
			var err error
			if tc.proto == "udp" {
				_, err = NewUDP(context.Background(), cfg)
			} else {
				_, err = NewTCP(context.Background(), cfg)
			}
			if err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
