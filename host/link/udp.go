package link

import (
	"container/heap"
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/socklab/socklab/proto/roles"
)

// maxDatagram holds any UDP payload.
const maxDatagram = 64 << 10

const (
	// Settle relays what the front socket holds until it has been empty
	// for settleIdle, for at most maxSettle (a client may still be sending).
	settleIdle = 5 * time.Millisecond
	maxSettle  = 250 * time.Millisecond
)

// UDP is a datagram relay. Each client address gets a flow with its own
// upstream socket, so the server's replies find their way back and several
// clients can share one server. Flows last as long as the link.
type UDP struct {
	core
	front *net.UDPConn
	// settle carries a request to relay what the front socket holds; the
	// reader closes the channel it is given once it has.
	settle chan chan struct{}
}

// NewUDP listens on cfg.Front and relays datagrams to and from cfg.Target
// until ctx ends or Close is called.
func NewUDP(ctx context.Context, cfg Config) (*UDP, error) {
	u := &UDP{settle: make(chan chan struct{}, 1)}
	sock, err := u.open(ctx, cfg, roles.UDP)
	if err != nil {
		return nil, err
	}
	u.front = sock.(*net.UDPConn)
	u.run(u.serve)
	return u, nil
}

// serve reads clients' datagrams and owns the flow table.
func (u *UDP) serve() {
	paths := make(map[netip.AddrPort]*udpPath) // client → its ToServer path
	defer func() {
		for _, p := range paths {
			p.stop()
		}
	}()
	r := newStampedReader(u.front)
	relay := func(b []byte, from netip.AddrPort, arrived time.Time) {
		p := paths[from]
		if p == nil {
			if p = u.newFlow(from, b); p == nil {
				return
			}
			paths[from] = p
		}
		p.handle(b, arrived)
	}
	for {
		b, from, arrived, err := r.read()
		if err != nil {
			if u.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				select {
				case done := <-u.settle:
					u.drain(r, relay)
					close(done)
				default:
				}
			}
			continue // e.g. an ICMP error for an earlier datagram
		}
		relay(b, from, arrived)
	}
}

// Settle relays the datagrams that have reached the link and wait in its
// socket: a client that sent its last datagram and ended at once has it
// delivered (and recorded) before the run stops the server, however late
// the link's goroutine was scheduled.
func (u *UDP) Settle() {
	done := make(chan struct{})
	select {
	case u.settle <- done:
	default:
		return // a settle is under way
	}
	// A deadline in the past interrupts the reader's blocking read.
	if err := u.front.SetReadDeadline(time.Now()); err != nil {
		return // closed
	}
	select {
	case <-done:
	case <-u.ctx.Done():
	}
}

// drain relays what the front socket holds, then lets reads block again.
func (u *UDP) drain(r *stampedReader, relay func([]byte, netip.AddrPort, time.Time)) {
	defer u.front.SetReadDeadline(time.Time{})
	for end := time.Now().Add(maxSettle); time.Now().Before(end); {
		if err := u.front.SetReadDeadline(time.Now().Add(settleIdle)); err != nil {
			return
		}
		b, from, arrived, err := r.read()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) || u.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return // nothing more queued
			}
			continue
		}
		relay(b, from, arrived)
	}
}

// newFlow opens the upstream socket for a new client and starts relaying
// the server's replies to it. If that fails, the first datagram is recorded
// as dropped and the next one tries again.
func (u *UDP) newFlow(client netip.AddrPort, first []byte) *udpPath {
	f := &flow{client: netip.AddrPortFrom(client.Addr().Unmap(), client.Port()), front: u.addr, server: u.target}
	var local net.UDPAddr
	if u.target.Addr().IsLoopback() {
		local.IP = u.target.Addr().AsSlice() // a real source address for the capture
	}
	up, err := net.ListenUDP("udp", &local)
	f.id = u.nextFlow()
	if err != nil {
		u.record(f, ToServer, 0, len(first), Dropped, 0, first)
		return nil
	}
	f.upstream = addrPort(up.LocalAddr())
	toServer := u.newPath(f, ToServer, func(b []byte) error {
		_, err := up.WriteToUDPAddrPort(b, u.target)
		return err
	})
	toClient := u.newPath(f, ToClient, func(b []byte) error {
		_, err := u.front.WriteToUDPAddrPort(b, client)
		return err
	})
	context.AfterFunc(u.ctx, func() { up.Close() })
	u.spawn(func() { u.serveUpstream(up, toClient) })
	return toServer
}

// serveUpstream reads the server's replies for one client.
func (u *UDP) serveUpstream(up *net.UDPConn, p *udpPath) {
	defer p.stop()
	r := newStampedReader(up)
	for {
		b, from, arrived, err := r.read()
		if err != nil {
			if u.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if netip.AddrPortFrom(from.Addr().Unmap(), from.Port()) != u.target {
			continue // not the server: not traffic through the link
		}
		p.handle(b, arrived)
	}
}

// udpPath is one direction of one flow. handle is called by a single reader
// goroutine; with delay, jitter or reordering a scheduler goroutine delivers.
type udpPath struct {
	c       *core
	f       *flow
	dir     Direction
	im      *Impairment
	clean   bool
	rng     *rand.Rand
	seq     uint64 // next datagram's number
	send    func([]byte) error
	in, out [2]netip.AddrPort // sender and receiver on each side, for the capture

	queue chan *datagram // to the scheduler; nil without one
	next  uint64         // scheduler: highest number delivered + 1
}

func (u *UDP) newPath(f *flow, d Direction, send func([]byte) error) *udpPath {
	im := u.cfg.impairment(d)
	p := &udpPath{c: &u.core, f: f, dir: d, im: im, clean: im.IsZero(), rng: newRand(u.cfg.Seed, f.id, d), send: send}
	p.in, p.out = f.ends(d)
	if im.Delay > 0 || im.Jitter > 0 || im.Reorder > 0 {
		p.queue = make(chan *datagram, 1024)
		u.spawn(p.schedule)
	}
	return p
}

// stop is called by the reader when it ends.
func (p *udpPath) stop() {
	if p.queue != nil {
		close(p.queue)
	}
}

// handle relays one datagram that reached the link at arrived (zero: not
// stamped).
func (p *udpPath) handle(b []byte, arrived time.Time) {
	seq := p.seq
	p.seq++
	p.c.cfg.Capture.udp(p.in, b)
	if p.clean {
		p.deliver(b, seq, Delivered, 0, arrived)
		return
	}
	v := decide(p.im, p.rng)
	fate := Delivered
	if v.dup {
		fate |= Duplicated
	}
	switch {
	case v.drop:
		p.c.recordArrived(p.f, p.dir, seq, len(b), Dropped, 0, b, arrived, time.Now())
	case p.queue == nil:
		p.deliver(b, seq, fate, 0, arrived)
	default:
		at := arrived // delayed from when it came, however late it was read
		if at.IsZero() {
			at = time.Now()
		}
		d := &datagram{data: append([]byte(nil), b...), seq: seq, fate: fate, at: at, due: at.Add(v.delay), arrived: arrived}
		if v.delay > 0 {
			d.fate |= Delayed
		}
		if v.hold {
			d.hold = p.im.ReorderGapOrDefault()
		}
		select {
		case p.queue <- d:
		case <-p.c.ctx.Done():
			p.drop(d)
		}
	}
}

// deliver sends a datagram (twice if duplicated) and records it. A datagram
// the socket refuses is recorded as dropped.
func (p *udpPath) deliver(b []byte, seq uint64, fate Fate, delay time.Duration, arrived time.Time) {
	copies := 1
	if fate.Has(Duplicated) {
		copies = 2
	}
	passed := time.Now()
	for range copies {
		if err := p.send(b); err != nil {
			fate = Dropped
			break
		}
		p.c.cfg.Capture.udp(p.out, b)
	}
	p.c.recordArrived(p.f, p.dir, seq, len(b), fate, delay, b, arrived, passed)
}

func (p *udpPath) drop(d *datagram) {
	p.c.recordArrived(p.f, p.dir, d.seq, len(d.data), Dropped, 0, d.data, d.arrived, time.Now())
}

// datagram is one waiting in the scheduler.
type datagram struct {
	data    []byte
	seq     uint64
	fate    Fate
	at, due time.Time // arrival; when to deliver (or, once held, give up waiting)
	arrived time.Time // the kernel's stamp of its arrival, if any
	hold    int       // deliveries still to overtake it
}

// schedule delivers delayed datagrams when due and held ones once enough
// others have overtaken them. When the link closes, what waits is dropped.
func (p *udpPath) schedule() {
	var q dueHeap
	var held []*datagram // in order of their give-up time
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		t.Stop()
		if len(q) > 0 {
			t.Reset(time.Until(q[0].due))
		}
		if len(held) > 0 && (len(q) == 0 || held[0].due.Before(q[0].due)) {
			t.Reset(time.Until(held[0].due))
		}
		select {
		case d, ok := <-p.queue:
			if !ok {
				p.discard(q, held)
				return
			}
			heap.Push(&q, d)
		case <-t.C:
		case <-p.c.ctx.Done():
			p.discard(q, held)
			for d := range p.queue {
				p.drop(d)
			}
			return
		}
		now := time.Now()
		for len(q) > 0 && !q[0].due.After(now) {
			d := heap.Pop(&q).(*datagram)
			if d.hold > 0 {
				d.due = now.Add(p.im.ReorderWaitOrDefault())
				held = append(held, d)
				continue
			}
			p.release(d, now)
			held = p.overtake(held, now)
		}
		for len(held) > 0 && !held[0].due.After(now) {
			held[0].fate |= Delayed // nothing (or not enough) came to overtake it
			p.release(held[0], now)
			held = held[1:]
		}
	}
}

func (p *udpPath) release(d *datagram, now time.Time) {
	if d.seq < p.next {
		d.fate |= Reordered
	}
	p.next = max(p.next, d.seq+1)
	p.deliver(d.data, d.seq, d.fate, now.Sub(d.at), d.arrived)
}

// overtake counts one delivery against every held datagram and releases
// those that have waited for enough.
func (p *udpPath) overtake(held []*datagram, now time.Time) []*datagram {
	kept := held[:0]
	for _, d := range held {
		if d.hold--; d.hold == 0 {
			p.release(d, now)
		} else {
			kept = append(kept, d)
		}
	}
	return kept
}

func (p *udpPath) discard(q dueHeap, held []*datagram) {
	for _, d := range append(q, held...) {
		p.drop(d)
	}
}

// dueHeap orders waiting datagrams by due time, then arrival.
type dueHeap []*datagram

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(*datagram)) }
func (h *dueHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	*h = old[:len(old)-1]
	return d
}
