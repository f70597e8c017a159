package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

const (
	// shutdownGrace is how long requests in flight may go on after ctx ends.
	shutdownGrace = 2 * time.Second
	// maxAcceptDelay caps the back-off after failed accepts (out of files, say).
	maxAcceptDelay = time.Second
	// maxRefusing bounds the refused connections being answered 503 at
	// once, and so the descriptors they hold past max_connections: a 32nd
	// of it, 64 at most. Past that accepting waits, and newcomers queue in
	// the kernel's backlog.
	maxRefusing = 64
	// refuseLinger is how long a refused client may still send before its
	// connection is closed, so that it reads the 503, not a reset.
	refuseLinger = 100 * time.Millisecond
	// evictWait bounds the wait for an evicted connection to close.
	evictWait = 100 * time.Millisecond
	// busyWait is how long a newcomer at max_connections waits for a
	// connection to close or go idle before it is refused: a kept-alive
	// connection goes idle just after its answer.
	busyWait = 20 * time.Millisecond
)

// refusal is the whole answer to a connection past max_connections.
const refusal = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 29\r\n" +
	"Retry-After: 1\r\nConnection: close\r\n\r\ntoo many connections; retry\r\n"

// Serve runs the reference web server until ctx is cancelled. It sends Ready
// once listening, one Request event per request (when cfg.ReportRequests),
// and a Summary event last, then returns nil. It returns an error, without
// Summary, only when it cannot start: a bad config, a root that is not a
// directory, an address it cannot listen on.
//
// out is called from many goroutines at once.
func Serve(ctx context.Context, cfg *pb.WebServerConfig, out *sdk.WebServerEvents) error {
	set, err := newServerSettings(cfg)
	if err != nil {
		return err
	}
	root, err := openDocRoot(set.root)
	if err != nil {
		return fmt.Errorf("web server: root: %w", err)
	}
	defer root.close()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", set.listen)
	if err != nil {
		return fmt.Errorf("web server: %w", err)
	}
	s := &server{serverSettings: set, root: root, out: out, conns: map[*net.TCPConn]*conn{},
		refusing: make(chan struct{}, min(max(set.maxConns/32, 1), maxRefusing)), freed: make(chan struct{}, 1)}
	out.Ready(ln.Addr().String())
	mode := "one connection per goroutine"
	if set.oneAtATime {
		mode = "one connection at a time"
	}
	out.Logf("serving %s on http://%s/ (%s, at most %d connections)", set.root, ln.Addr(), mode, set.maxConns)
	s.serve(ctx, ln.(*net.TCPListener))
	out.Summary(s.stats.summary())
	return nil
}

// server is one running Serve.
type server struct {
	serverSettings
	root *docRoot
	out  *sdk.WebServerEvents

	stats   stats
	closing atomic.Bool // set once ctx is done

	// open counts the connections being served, from accept to close:
	// at most maxConns.
	open     atomic.Int64
	refusing chan struct{} // a token per refusal being answered
	freed    chan struct{} // signalled when a connection is closed
	warned   bool          // the first refusal was logged; accept loop only

	mu    sync.Mutex
	conns map[*net.TCPConn]*conn // open connections, to interrupt at shutdown or evict when idle

	connPool sync.Pool // *conn
	outPool  sync.Pool // *[]byte, response buffers
}

// serve accepts connections until ctx is done, then lets the requests in
// flight finish for up to shutdownGrace and closes what is left.
func (s *server) serve(ctx context.Context, ln *net.TCPListener) {
	var handlers sync.WaitGroup
	done := make(chan struct{})
	defer close(done)
	context.AfterFunc(ctx, func() {
		s.closing.Store(true)
		ln.Close()
		// Idle connections and unfinished heads stop now; a response
		// being written goes on.
		s.eachConn(func(c *net.TCPConn) { c.SetReadDeadline(time.Now()) })
		select {
		case <-time.After(shutdownGrace):
			s.eachConn(func(c *net.TCPConn) { c.Close() })
		case <-done:
		}
	})

	var delay time.Duration
	for {
		nc, err := ln.AcceptTCP()
		if err != nil {
			if s.closing.Load() {
				break
			}
			delay = min(max(2*delay, 5*time.Millisecond), maxAcceptDelay)
			s.out.Warnf("accept: %v; retrying in %v", err, delay)
			sleep(ctx, delay)
			continue
		}
		delay = 0
		if !s.makeRoom(ctx) {
			s.refuse(ctx, nc)
			continue
		}
		s.open.Add(1)
		if s.oneAtATime {
			s.serveConn(nc)
			continue
		}
		handlers.Go(func() { s.serveConn(nc) })
	}
	handlers.Wait()
}

// track adds c, serving nc, to the open connections, or removes nc when c
// is nil. A connection added after shutdown began is interrupted at once,
// as if it had been there.
func (s *server) track(nc *net.TCPConn, c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c == nil {
		delete(s.conns, nc)
		return
	}
	s.conns[nc] = c
	if s.closing.Load() {
		nc.SetReadDeadline(time.Now())
	}
}

func (s *server) eachConn(f func(*net.TCPConn)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for nc := range s.conns {
		f(nc)
	}
}

// evictIdle makes room for a new connection at max_connections: it ends
// one connection that waits for a request with none of it received, and
// reports whether there was one. Its slot is taken over at once; its
// descriptor follows within a moment.
func (s *server) evictIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for nc, c := range s.conns {
		if c.idle.CompareAndSwap(true, false) {
			nc.SetReadDeadline(time.Now())
			s.stats.evicted.Add(1)
			return true
		}
	}
	return false
}

// makeRoom reports whether a new connection may be served: fewer than
// max_connections are open, or an idle one was ended to make room (then
// it waits for that one to close, so that evictions cannot pile
// descriptors up past the cap). With every connection busy it waits a
// moment for one to close or go idle before giving up.
func (s *server) makeRoom(ctx context.Context) bool {
	for try := 0; s.open.Load() >= int64(s.maxConns); try++ {
		if s.evictIdle() {
			s.awaitFreed(ctx, evictWait)
			return true
		}
		if try == 1 || ctx.Err() != nil {
			return false
		}
		s.awaitFreed(ctx, busyWait)
	}
	return true
}

// awaitFreed waits until a connection has closed or gone idle since the
// last call, for at most d.
func (s *server) awaitFreed(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.freed:
	case <-t.C:
	case <-ctx.Done():
	}
}

// freedOne tells awaitFreed a connection has closed or gone idle.
func (s *server) freedOne() {
	select {
	case s.freed <- struct{}{}:
	default:
	}
}

// refuse answers a connection past max_connections with 503 and closes
// it, counting it. It waits while too many refusals are under way.
func (s *server) refuse(ctx context.Context, nc *net.TCPConn) {
	s.stats.refused.Add(1)
	if !s.warned {
		s.warned = true
		s.out.Warnf("max_connections (%d) are open and busy: refusing new ones with 503, counted in the summary", s.maxConns)
	}
	select {
	case s.refusing <- struct{}{}:
	case <-ctx.Done():
		nc.Close()
		return
	}
	go func() {
		defer func() { <-s.refusing }()
		nc.SetWriteDeadline(time.Now().Add(refuseLinger))
		io.WriteString(nc, refusal)
		nc.CloseWrite()
		nc.SetReadDeadline(time.Now().Add(refuseLinger))
		io.Copy(io.Discard, io.LimitReader(nc, lingerBytes))
		nc.Close()
	}()
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// stats counts what the server did, for the Summary.
type stats struct {
	connections, requests, bytes atomic.Uint64
	refused, evicted             atomic.Uint64
	byStatus                     [600]atomic.Uint64 // 0 for a request cut off before an answer
}

func (st *stats) add(status int, bytes int64) {
	st.requests.Add(1)
	st.bytes.Add(uint64(bytes))
	st.byStatus[status].Add(1)
}

func (st *stats) summary() *pb.WebServerSummary {
	sum := &pb.WebServerSummary{
		Connections: st.connections.Load(),
		Requests:    st.requests.Load(),
		Bytes:       st.bytes.Load(),
		Refused:     st.refused.Load(),
		Evicted:     st.evicted.Load(),
		ByStatus:    map[uint32]uint64{},
	}
	for code := range st.byStatus {
		if n := st.byStatus[code].Load(); n > 0 {
			sum.ByStatus[uint32(code)] = n
		}
	}
	return sum
}

// errClosing ends a connection that waits for a request when the server stops.
var errClosing = errors.New("server is stopping")
