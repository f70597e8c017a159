package web

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	pb "github.com/socklab/socklab/proto/socklabpb"
	"github.com/socklab/socklab/proto/utf8text"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const (
	// initialReadBuffer is where a connection's read buffer starts; it
	// grows up to max_header_bytes for a larger head.
	initialReadBuffer = 4 << 10
	// writeTimeout bounds the sending of one response, so that a client
	// that stops reading cannot hold a connection forever.
	writeTimeout = 30 * time.Second
	// lingerTime and lingerBytes bound the draining of what a client still
	// sends after a refusal, so that it reads the answer, not a reset.
	lingerTime  = 500 * time.Millisecond
	lingerBytes = 256 << 10
)

// conn is one client connection and the buffers it reuses from request to
// request. conns are pooled.
type conn struct {
	s    *server
	nc   *net.TCPConn
	peer string // "host:port", filled in when first needed
	// idle is set while the connection waits for a request with none of it
	// received: the one a server at max_connections may end (evictIdle).
	idle atomic.Bool

	buf  []byte // the read buffer; unread bytes are buf[r:w]
	r, w int

	req   request
	name  []byte    // the resolved file name
	file  file      // the file being sent
	sniff [512]byte // the start of a file of unknown type
	date  [len(timeFormat)]byte
	sec   int64 // the second date was formatted for
}

// exchange is what one request earned, for its event and the summary.
type exchange struct {
	start  time.Time // when its first byte came
	status int
	bytes  int64 // body bytes sent
	reason string
	keep   bool // the connection stays open for another request
	linger bool // close gently: the client may still be sending
}

// serveConn serves one accepted connection, counted in s.open by the
// accept loop.
func (s *server) serveConn(nc *net.TCPConn) {
	defer s.freedOne()
	defer s.open.Add(-1)
	s.stats.connections.Add(1)
	c, _ := s.connPool.Get().(*conn)
	if c == nil {
		c = &conn{s: s}
	}
	if c.buf == nil {
		c.buf = make([]byte, min(initialReadBuffer, s.maxHeaderBytes))
	}
	c.nc, c.peer, c.r, c.w = nc, "", 0, 0
	c.idle.Store(false)
	s.track(nc, c)
	defer func() {
		// Untracked before pooled: evictIdle must not see c serve another.
		s.track(nc, nil)
		if len(c.buf) > initialReadBuffer {
			c.buf = nil
		}
		c.nc = nil
		s.connPool.Put(c)
	}()

	for first := true; ; first = false {
		ex := c.serveRequest(first)
		if ex.keep {
			continue
		}
		if ex.linger {
			lingerClose(nc)
		} else {
			nc.Close()
		}
		return
	}
}

// serveRequest reads one request and answers it.
func (c *conn) serveRequest(first bool) exchange {
	c.req = request{}
	n, start, err := c.readHead(first)
	ex := exchange{start: start}
	if err != nil {
		if start.IsZero() {
			return ex // nothing came: an idle or closed connection
		}
		if se, ok := err.(*statusError); ok {
			parseRequestLine(c.firstLine(), &c.req)
			c.sendError(&ex, se.status, se.reason)
			ex.linger = true
		} else if errors.Is(err, os.ErrDeadlineExceeded) {
			ex.reason = "read timeout with the request incomplete"
		} else {
			ex.reason = "connection closed with the request incomplete: " + err.Error()
		}
		c.record(&ex)
		return ex
	}
	head := c.buf[c.r : c.r+n]
	c.r += n
	c.answer(&ex, head)
	c.record(&ex)
	return ex
}

// answer parses a request head and sends the response.
func (c *conn) answer(ex *exchange, head []byte) {
	req := &c.req
	if err := parseRequest(head, req, c.s.allowNoHost); err != nil {
		se := err.(*statusError)
		c.sendError(ex, se.status, se.reason)
		ex.linger = true
		return
	}
	ex.keep = req.wantsKeepAlive() && !req.body && !c.s.oneAtATime && !c.s.closing.Load()
	// The server reads no bodies, so it cannot find the next request
	// after one: answer, then close.
	ex.linger = req.body
	switch m := string(req.method); m {
	case "GET", "HEAD":
		res, err := resolveTarget(req.target, c.name[:0])
		if err != nil {
			se := err.(*statusError)
			c.sendError(ex, se.status, se.reason)
			return
		}
		c.name = res.name
		c.serveFile(ex, res)
	case "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT":
		c.sendError(ex, 405, "method "+m+" not allowed")
	default:
		c.sendError(ex, 501, "method "+m+" not implemented")
	}
}

// readHead reads until buf[r:] holds a whole request head and returns its
// length and when its first byte came. The first request may take
// read_timeout from the accept; a later one idle_timeout until its first
// byte and read_timeout from there.
func (c *conn) readHead(first bool) (int, time.Time, error) {
	s := c.s
	c.compact()
	var start time.Time
	wait := s.idleTimeout
	if first || c.w > 0 {
		wait = s.readTimeout
	}
	if c.w > 0 {
		start = time.Now() // pipelined
	}
	c.nc.SetReadDeadline(time.Now().Add(wait))
	if s.closing.Load() && c.w == 0 {
		return 0, start, errClosing
	}
	timed := first || c.w > 0
	scanned := 0
	for {
		c.r = c.w - len(trimBlankLines(c.buf[c.r:c.w]))
		if end := headEnd(c.buf[c.r:c.w], scanned); end > 0 {
			return end, start, nil
		}
		scanned = c.w - c.r
		if c.w == len(c.buf) {
			if err := c.makeRoom(); err != nil {
				return 0, start, err
			}
		}
		if !timed && !start.IsZero() {
			c.nc.SetReadDeadline(start.Add(s.readTimeout))
			timed = true
		}
		// Nothing of a request yet: an idle connection, which a server at
		// max_connections may end by a deadline in the past.
		if c.w == c.r {
			c.idle.Store(true)
			s.freedOne()
		}
		n, err := c.nc.Read(c.buf[c.w:])
		c.idle.Store(false)
		if n == 0 {
			return 0, start, err
		}
		if start.IsZero() {
			start = time.Now()
		}
		c.w += n
	}
}

// makeRoom makes room in a full read buffer, or says why it cannot.
func (c *conn) makeRoom() error {
	switch {
	case c.r > 0:
		c.compact()
	case len(c.buf) < c.s.maxHeaderBytes:
		b := make([]byte, min(2*len(c.buf), c.s.maxHeaderBytes))
		c.w = copy(b, c.buf[:c.w])
		c.buf = b
	case bytes.IndexByte(c.buf, '\n') < 0:
		return errLineTooLong
	default:
		return errHeadTooLarge
	}
	return nil
}

// compact moves the unread bytes to the start of the read buffer.
func (c *conn) compact() {
	if c.r > 0 {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
	}
}

// firstLine returns the unread request line, if a whole one came.
func (c *conn) firstLine() []byte {
	line, rest := nextLine(c.buf[c.r:c.w])
	if rest == nil {
		return nil
	}
	return line
}

// record counts an exchange and reports it. What the client sent, and a
// reason naming it, need not be UTF-8: the event carries it as text with
// the bad bytes escaped.
func (c *conn) record(ex *exchange) {
	c.s.stats.add(ex.status, ex.bytes)
	if !c.s.report {
		return
	}
	if c.peer == "" {
		c.peer = c.nc.RemoteAddr().String()
	}
	// Stamped when the request came, not when it was done: a client's
	// requests on successive connections then show in the order it sent
	// them. Request takes no time: a server that answers one request at a
	// time reports them in order whenever it does.
	var at *timestamppb.Timestamp
	if !ex.start.IsZero() {
		at = timestamppb.New(ex.start)
	}
	c.s.out.Send(&pb.WebServerEvent{Time: at, Event: &pb.WebServerEvent_Request{Request: &pb.WebRequest{
		Peer:     c.peer,
		Method:   utf8text.FromBytes(c.req.method),
		Target:   utf8text.FromBytes(c.req.target),
		Proto:    utf8text.FromBytes(c.req.proto),
		Status:   uint32(ex.status),
		Bytes:    uint64(ex.bytes),
		Duration: durationpb.New(time.Since(ex.start)),
		Reason:   utf8text.String(ex.reason),
	}}})
}

// lingerClose closes a connection whose client may still be sending: it
// ends our side, drains the client's for a moment, then closes.
func lingerClose(nc *net.TCPConn) {
	nc.CloseWrite()
	nc.SetReadDeadline(time.Now().Add(lingerTime))
	io.Copy(io.Discard, io.LimitReader(nc, lingerBytes))
	nc.Close()
}
