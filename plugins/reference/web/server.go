package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

const (
	// shutdownGrace is how long requests in flight may go on after ctx ends.
	shutdownGrace = 2 * time.Second
	// maxAcceptDelay caps the back-off after failed accepts (out of files, say).
	maxAcceptDelay = time.Second
)

// Serve runs the reference web server until ctx is cancelled. It emits Ready
// once listening, one Request event per request (when cfg.ReportRequests),
// and a Summary event last, then returns nil. It returns an error, without
// Summary, only when it cannot start: a bad config, a root that is not a
// directory, an address it cannot listen on.
//
// emit may be called from many goroutines at once.
func Serve(ctx context.Context, cfg *pb.WebServerConfig, emit func(*pb.WebServerEvent)) error {
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
	s := &server{serverSettings: set, root: root, emit: emit, conns: map[*net.TCPConn]struct{}{}}
	emit(&pb.WebServerEvent{Event: &pb.WebServerEvent_Ready{Ready: &pb.Ready{Address: ln.Addr().String()}}})
	mode := "one connection per goroutine"
	if set.oneAtATime {
		mode = "one connection at a time"
	}
	s.log(pb.Log_LEVEL_INFO, fmt.Sprintf("serving %s on http://%s/ (%s)", set.root, ln.Addr(), mode))
	s.serve(ctx, ln.(*net.TCPListener))
	emit(&pb.WebServerEvent{Event: &pb.WebServerEvent_Summary{Summary: s.stats.summary()}})
	return nil
}

// server is one running Serve.
type server struct {
	serverSettings
	root *docRoot
	emit func(*pb.WebServerEvent)

	stats   stats
	closing atomic.Bool // set once ctx is done

	mu    sync.Mutex
	conns map[*net.TCPConn]struct{} // open connections, to interrupt at shutdown

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
			s.log(pb.Log_LEVEL_WARN, fmt.Sprintf("accept: %v; retrying in %v", err, delay))
			sleep(ctx, delay)
			continue
		}
		delay = 0
		if s.oneAtATime {
			s.serveConn(nc)
			continue
		}
		handlers.Go(func() { s.serveConn(nc) })
	}
	handlers.Wait()
}

// track adds nc to the open connections, or removes it. A connection added
// after shutdown began is interrupted at once, as if it had been there.
func (s *server) track(nc *net.TCPConn, open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !open {
		delete(s.conns, nc)
		return
	}
	s.conns[nc] = struct{}{}
	if s.closing.Load() {
		nc.SetReadDeadline(time.Now())
	}
}

func (s *server) eachConn(f func(*net.TCPConn)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		f(c)
	}
}

func (s *server) log(level pb.Log_Level, msg string) {
	s.emit(&pb.WebServerEvent{Event: &pb.WebServerEvent_Log{Log: &pb.Log{Level: level, Message: msg}}})
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
