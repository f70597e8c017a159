package link

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socklab/socklab/proto/roles"
)

// Fate is what a link did with a datagram or TCP segment: Delivered or
// Dropped, or Reset for the part of a stream cut off by a reset, plus any of
// the flags Duplicated, Delayed and Reordered.
type Fate uint8

const (
	Delivered Fate = 1 << iota
	Dropped
	Duplicated // delivered twice
	Delayed    // held by the link on purpose (delay, jitter, pacing, stall, reorder wait)
	Reordered  // delivered after a datagram that reached the link later
	Reset      // not delivered: the connection was reset first
)

// Has reports whether f includes every flag of g.
func (f Fate) Has(g Fate) bool { return f&g == g }

func (f Fate) String() string {
	var parts []string
	for i, name := range [...]string{"delivered", "dropped", "duplicated", "delayed", "reordered", "reset"} {
		if f&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// PayloadMax is how many leading bytes of a datagram or segment an Event keeps.
const PayloadMax = 64

// Event is the ground truth about one datagram or TCP segment that crossed
// (or failed to cross) a link.
type Event struct {
	Time  time.Time // when the link delivered, dropped or reset it
	Link  string    // Config.Name
	Proto roles.Transport
	// Flow numbers the link's clients (UDP) or connections (TCP) from 0 in
	// the order they arrived.
	Flow int
	Dir  Direction
	// Seq is the datagram's number within its flow and direction (from 0), or
	// the stream offset of a TCP segment's first byte.
	Seq  uint64
	Size int // bytes of payload
	Fate Fate
	// Delay is how long the data spent in the link when the link held it on
	// purpose (Fate has Delayed or Reordered); otherwise zero.
	Delay time.Duration
	// The two sides of the link: the client talks to Front, the link talks
	// to Server from Upstream.
	Client, Front, Upstream, Server netip.AddrPort
	// Payload holds the first PayloadMax bytes, so checks can tell which
	// message it was.
	Payload []byte
	// Arrived is when a UDP datagram reached the link, as the kernel
	// stamped it: unlike Time, it does not move with how soon the link got
	// to read it on a busy machine. Zero where the kernel did not stamp it
	// (TCP).
	Arrived time.Time
}

func (e Event) String() string {
	s := fmt.Sprintf("%s %s %s flow %d #%d %dB %s", e.Time.Format("15:04:05.000000"), e.Link, e.Dir, e.Flow, e.Seq, e.Size, e.Fate)
	if e.Delay > 0 {
		s += fmt.Sprintf(" after %v", e.Delay)
	}
	return s
}

// Sink receives a link's events in order, on a goroutine of the link's own,
// never on the forwarding path, in batches about a millisecond apart (one
// wake-up per batch rather than per packet keeps the link fast). Events wait
// for it in a buffer of Config.SinkBuffer; while that is full (the Sink is
// slower than the traffic) new events are not delivered but counted in
// Summary.EventsLost, so a slow Sink never slows the network down, and the
// Summary's counts stay exact. Close returns after the Sink has had every
// event not lost. A Sink shared by several links is called from several
// goroutines.
type Sink func(Event)

// DefaultSinkBuffer is the event buffer when Config.SinkBuffer is zero.
const DefaultSinkBuffer = 1 << 14

// sinkBatchDelay is how long the Sink's goroutine lets events gather.
const sinkBatchDelay = time.Millisecond

// eventQueue carries events from the forwarding goroutines to the Sink.
type eventQueue struct {
	sink    Sink
	limit   int
	mu      sync.Mutex
	pending []Event
	lost    atomic.Uint64
	wake    chan struct{} // signalled when pending stops being empty
	done    chan struct{}
}

func newEventQueue(sink Sink, limit int) *eventQueue {
	if limit <= 0 {
		limit = DefaultSinkBuffer
	}
	q := &eventQueue{sink: sink, limit: limit, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go q.run()
	return q
}

// push queues ev, or counts it lost if the Sink is too far behind.
func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	if len(q.pending) >= q.limit {
		q.mu.Unlock()
		q.lost.Add(1)
		return
	}
	q.pending = append(q.pending, ev)
	first := len(q.pending) == 1
	q.mu.Unlock()
	if first {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

func (q *eventQueue) run() {
	defer close(q.done)
	var batch []Event
	for range q.wake {
		time.Sleep(sinkBatchDelay)
		batch = q.deliver(batch)
	}
	q.deliver(batch)
}

// deliver hands what is pending to the Sink, reusing batch's storage.
func (q *eventQueue) deliver(batch []Event) []Event {
	q.mu.Lock()
	batch, q.pending = q.pending, batch[:0]
	q.mu.Unlock()
	for i := range batch {
		q.sink(batch[i])
		batch[i] = Event{} // let the payload go
	}
	return batch
}

// close delivers what is left and ends the Sink's goroutine. No push may
// follow it.
func (q *eventQueue) close() {
	if q == nil {
		return
	}
	close(q.wake)
	<-q.done
}

func (q *eventQueue) lostCount() uint64 {
	if q == nil {
		return 0
	}
	return q.lost.Load()
}

// DirSummary counts what a link did in one direction: datagrams or TCP
// segments, and bytes, by fate. A TCP stream that a clean, unobserved link
// spliced counts as one segment.
type DirSummary struct {
	Packets        uint64 // datagrams or TCP segments that reached the link
	Bytes          uint64
	Delivered      uint64
	DeliveredBytes uint64
	Dropped        uint64
	Duplicated     uint64
	Delayed        uint64
	Reordered      uint64
	Resets         uint64
}

// Summary is what a link did, for the host's run summary.
type Summary struct {
	Link       string
	Proto      roles.Transport
	Flows      int // clients (UDP) or connections (TCP)
	ToServer   DirSummary
	ToClient   DirSummary
	EventsLost uint64 // events a slow Sink missed
}

func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "link %s (%s, %d flows):", s.Link, s.Proto, s.Flows)
	for _, d := range []struct {
		name string
		c    DirSummary
	}{{"to server", s.ToServer}, {"to client", s.ToClient}} {
		c := d.c
		fmt.Fprintf(&b, " %s %d pkts %dB, delivered %d (%dB), dropped %d, duplicated %d, delayed %d, reordered %d, resets %d;",
			d.name, c.Packets, c.Bytes, c.Delivered, c.DeliveredBytes, c.Dropped, c.Duplicated, c.Delayed, c.Reordered, c.Resets)
	}
	if s.EventsLost > 0 {
		fmt.Fprintf(&b, " %d events lost by a slow sink;", s.EventsLost)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Line says in the sheet's words what the link did each way, as the
// report and the page show it: "link (datagrams): to server 9 delivered,
// 1 dropped; to client 9 delivered".
func (s *Summary) Line() string {
	dir := func(name string, d DirSummary) string {
		out := fmt.Sprintf("%s %d delivered", name, d.Delivered)
		for _, n := range []struct {
			what  string
			count uint64
		}{{"dropped", d.Dropped}, {"duplicated", d.Duplicated}, {"reordered", d.Reordered}, {"delayed", d.Delayed}, {"reset", d.Resets}} {
			if n.count > 0 {
				out += fmt.Sprintf(", %d %s", n.count, n.what)
			}
		}
		return out
	}
	unit := "datagrams"
	if s.Proto == roles.TCP {
		unit = "segments"
	}
	return fmt.Sprintf("link (%s): %s; %s", unit, dir("to server", s.ToServer), dir("to client", s.ToClient))
}

// counters is the live form of a DirSummary, written by forwarding goroutines.
type counters struct {
	packets, bytes, delivered, deliveredBytes, dropped, duplicated, delayed, reordered, resets atomic.Uint64
	_                                                                                          [64]byte // keeps the two directions off one cache line
}

func (c *counters) add(size int, f Fate) {
	c.packets.Add(1)
	c.bytes.Add(uint64(size))
	if f&Delivered != 0 {
		c.delivered.Add(1)
		c.deliveredBytes.Add(uint64(size))
	}
	if f&^Delivered == 0 {
		return
	}
	for _, x := range []struct {
		flag Fate
		n    *atomic.Uint64
	}{{Dropped, &c.dropped}, {Duplicated, &c.duplicated}, {Delayed, &c.delayed}, {Reordered, &c.reordered}, {Reset, &c.resets}} {
		if f&x.flag != 0 {
			x.n.Add(1)
		}
	}
}

func (c *counters) load() DirSummary {
	return DirSummary{
		Packets: c.packets.Load(), Bytes: c.bytes.Load(),
		Delivered: c.delivered.Load(), DeliveredBytes: c.deliveredBytes.Load(),
		Dropped: c.dropped.Load(), Duplicated: c.duplicated.Load(), Delayed: c.delayed.Load(),
		Reordered: c.reordered.Load(), Resets: c.resets.Load(),
	}
}
