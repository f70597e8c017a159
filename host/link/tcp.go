package link

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socklab/socklab/proto/roles"
)

// The proxy's read buffer, when it looks at the bytes, starts small for
// interactive connections and grows while reads fill it: big chunks halve
// the CPU per byte of bulk transfers, for the proxy and for the receiver.
const (
	minChunk = 64 << 10
	maxChunk = 1 << 20
)

var errReset = errors.New("reset by the link")

// TCP is a stream proxy: each accepted connection gets its own connection to
// the target, and bytes flow both ways with the stream impairments applied.
// A FIN is passed on as a FIN (half-close); a reset, a failed dial or an error
// on either side resets both.
type TCP struct {
	core
	ln *net.TCPListener
}

// NewTCP listens on cfg.Front and proxies connections to cfg.Target until
// ctx ends or Close is called.
func NewTCP(ctx context.Context, cfg Config) (*TCP, error) {
	t := &TCP{}
	sock, err := t.open(ctx, cfg, roles.TCP)
	if err != nil {
		return nil, err
	}
	t.ln = sock.(*net.TCPListener)
	t.run(t.serve)
	return t, nil
}

// Settle does nothing: what a TCP client sent before it ended is in the
// connection, which the proxy reads to its end.
func (t *TCP) Settle() {}

func (t *TCP) serve() {
	for {
		cc, err := t.ln.AcceptTCP()
		if err != nil {
			if t.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			if sleep(t.ctx, 10*time.Millisecond) != nil { // e.g. out of file descriptors: do not spin
				return
			}
			continue
		}
		t.spawn(func() { t.proxy(cc) })
	}
}

// proxy runs one connection to its end.
func (t *TCP) proxy(cc *net.TCPConn) {
	f := &flow{id: t.nextFlow(), client: addrPort(cc.RemoteAddr()), front: t.addr, server: t.target}
	// Fixed initial sequence numbers: captures of the same run are identical.
	isn := uint32(f.id+1) * 0x9e3779b9
	c := &tcpConn{core: &t.core, f: f}
	c.conns[0] = cc
	c.sides[0] = t.cfg.Capture.newTCPSide([2]netip.AddrPort{f.client, f.front}, [2]uint32{isn, ^isn})
	c.ctx, c.cancel = context.WithCancel(t.ctx)
	defer c.cancel()

	var d net.Dialer
	sc, err := d.DialContext(c.ctx, "tcp", t.target.String())
	if err != nil {
		// No server: the client sees a reset, as from a real network.
		t.record(f, ToServer, 0, 0, Reset, 0, nil)
		c.finish(true)
		return
	}
	c.conns[1] = sc.(*net.TCPConn)
	f.upstream = addrPort(sc.LocalAddr())
	c.sides[1] = t.cfg.Capture.newTCPSide([2]netip.AddrPort{f.upstream, f.server}, [2]uint32{^isn + 1, isn + 1})
	// The link closing resets the connection, unless it is over but for
	// closing the sockets.
	stop := context.AfterFunc(c.ctx, func() { c.finish(!c.complete.Load()) })

	var wg sync.WaitGroup
	wg.Go(func() { c.pump(ToClient) })
	c.pump(ToServer)
	wg.Wait()
	c.complete.Store(true)
	stop()
	c.finish(false) // no-op after a reset
}

// tcpConn is one proxied connection: index 0 is the client's side, 1 the
// server's. Traffic in direction d is read from conns[d] and written to
// conns[1-d]; in the captured sides, the sender of d is end int(d).
type tcpConn struct {
	*core
	f        *flow
	conns    [2]*net.TCPConn
	sides    [2]*tcpSide
	ctx      context.Context // ends when the connection is aborted
	cancel   context.CancelFunc
	once     sync.Once
	complete atomic.Bool // both directions ended, both FINs passed on
}

// finish closes both sockets once: with RST (SO_LINGER 0) if reset, else
// plainly, both FINs having been passed on already.
func (c *tcpConn) finish(reset bool) {
	c.once.Do(func() {
		for i, conn := range c.conns {
			if conn == nil {
				continue
			}
			if reset {
				conn.SetLinger(0)
				c.sides[i].segment(1-i, segRst, nil) // from the link's end of that side
			}
			conn.Close()
		}
	})
}

// abort resets the connection and wakes anything waiting in it.
func (c *tcpConn) abort() {
	c.finish(true)
	c.cancel()
}

// pump forwards one direction until EOF, passing the FIN on, or aborts the
// connection on any error.
func (c *tcpConn) pump(d Direction) {
	src, dst := c.conns[d], c.conns[1-d]
	im := c.cfg.impairment(d)
	if im.IsZero() && !c.observed() {
		// *net.TCPConn to *net.TCPConn: splice(2), no copy through user space.
		n, err := dst.ReadFrom(src)
		if n > 0 {
			c.dirs[d].add(int(n), Delivered)
		}
		if err == nil {
			err = dst.CloseWrite()
		}
		if err != nil {
			c.abort()
		}
		return
	}
	p := &pump{tcpConn: c, d: d, im: im, rng: newRand(c.cfg.Seed, c.f.id, d), src: src, dst: dst}
	var err error
	if im.Delay > 0 || im.Jitter > 0 {
		err = p.readQueued()
	} else {
		err = p.read(maxChunk, p.forward)
	}
	if err == nil {
		err = dst.CloseWrite()
	}
	if err != nil {
		c.abort()
		return
	}
	c.sides[1-d].segment(int(d), segFin, nil)
}

// pump is one direction of a connection whose bytes the link looks at.
type pump struct {
	*tcpConn
	d        Direction
	im       *Impairment
	rng      *rand.Rand
	src, dst *net.TCPConn
	off      int64     // bytes delivered so far
	lastDue  time.Time // latency: chunks keep their order
	next     time.Time // bandwidth: when the next segment may start
	stalled  bool
}

// read passes what src sends to fwd until EOF (nil) or an error, in chunks
// of up to limit bytes.
func (p *pump) read(limit int, fwd func([]byte, time.Time) error) error {
	buf := make([]byte, minChunk)
	for {
		n, err := p.src.Read(buf)
		if n > 0 {
			p.sides[p.d].segment(int(p.d), segAck, buf[:n])
			if err := fwd(buf[:n], time.Now()); err != nil {
				return err
			}
		}
		if n == len(buf) && n < limit {
			buf = make([]byte, 2*n)
		}
		if err == io.EOF {
			p.sides[p.d].segment(int(p.d), segFin, nil)
			return nil
		}
		if err != nil {
			return err
		}
	}
}

type chunk struct {
	data []byte
	at   time.Time
	off  int64 // stream offset of its first byte
}

// readQueued reads and writes in separate goroutines, so that latency
// delays each chunk rather than adding up over the chunks. Up to 256 small
// chunks may be on their way, at most 16 MiB.
func (p *pump) readQueued() error {
	q := make(chan chunk, 256)
	stopped := make(chan struct{})
	var werr error
	go func() {
		defer close(stopped)
		for ch := range q {
			if werr = p.forward(ch.data, ch.at); werr != nil {
				p.abort() // stops the reader
				return
			}
		}
	}()
	var off int64
	rerr := p.read(minChunk, func(b []byte, at time.Time) error {
		select {
		case q <- chunk{append([]byte(nil), b...), at, off}:
			off += int64(len(b))
			return nil
		case <-stopped:
			return errReset
		}
	})
	close(q)
	if rerr != nil {
		p.abort() // stops the writer
	}
	<-stopped
	for ch := range q { // read, but the connection ended first
		p.record(p.f, p.d, uint64(ch.off), len(ch.data), Reset, 0, ch.data)
	}
	return errors.Join(werr, rerr)
}

// forward writes one chunk read at time at, applying latency, slicing,
// stall, bandwidth and reset, and records every segment written, and what
// a reset or an error kept from being written.
func (p *pump) forward(b []byte, at time.Time) (err error) {
	defer func() {
		if err == errReset || (err != nil && len(b) > 0) {
			p.record(p.f, p.d, uint64(p.off), len(b), Reset, 0, b)
		}
	}()
	fate := Delivered
	if p.im.Delay > 0 || p.im.Jitter > 0 {
		due := at.Add(jittered(p.im, p.rng))
		if due.Before(p.lastDue) {
			due = p.lastDue
		}
		p.lastDue = due
		if err := sleep(p.ctx, time.Until(due)); err != nil {
			return err
		}
		fate |= Delayed
	}
	for len(b) > 0 {
		seg, segFate := b, fate
		if ms := p.im.MaxSegment; ms > 0 && len(seg) > ms {
			seg = seg[:ms]
		}
		if p.im.StallFor > 0 && !p.stalled {
			if p.off >= p.im.StallAfter {
				p.stalled = true
				if err := sleep(p.ctx, p.im.StallFor); err != nil {
					return err
				}
				segFate |= Delayed
			} else if rest := p.im.StallAfter - p.off; int64(len(seg)) > rest {
				seg = seg[:rest]
			}
		}
		reset := p.im.ResetAfter > 0 && p.off+int64(len(seg)) >= p.im.ResetAfter
		if reset {
			seg = seg[:p.im.ResetAfter-p.off]
		}
		if bw := p.im.Bandwidth; bw > 0 {
			now := time.Now()
			if p.next.After(now) {
				if err := sleep(p.ctx, p.next.Sub(now)); err != nil {
					return err
				}
				segFate |= Delayed
			} else {
				p.next = now
			}
			p.next = p.next.Add(time.Duration(int64(len(seg)) * int64(time.Second) / bw))
		}
		if len(seg) > 0 {
			passed := time.Now()
			if _, err := p.dst.Write(seg); err != nil {
				return err
			}
			p.sides[1-p.d].segment(int(p.d), segAck, seg)
			p.recordArrived(p.f, p.d, uint64(p.off), len(seg), segFate, passed.Sub(at), seg, time.Time{}, passed)
			p.off += int64(len(seg))
		}
		b = b[len(seg):]
		if reset {
			return errReset
		}
	}
	return nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
