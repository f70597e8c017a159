package output

import (
	"container/heap"
	"fmt"
	"io"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/run"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// What one component may have waiting in a Sequencer. Past either bound
// its events are dropped and counted until it is below them again, and a
// line says how many were suppressed: a component that floods the host
// costs it a fixed amount of memory, and the console shows what it can.
const (
	MaxPendingEvents = 10000
	MaxPendingBytes  = 4 << 20
	// eventOverhead is what a waiting event costs beyond its message.
	eventOverhead = 256
)

// backlog is what one component has waiting.
type backlog struct {
	events, bytes int
	dropped       int
}

// Sequencer puts the events of all components back in the order they
// happened. Each component's events reach the host on their own stream, so
// a server's "echo" can arrive before the client's "sent" that caused it;
// holding events for a short window and releasing them by their own time
// shows the exchange as it happened on the wire.
type Sequencer struct {
	window time.Duration
	emit   func(run.Event)

	mu      sync.Mutex
	pending itemHeap
	waiting map[*lab.Component]*backlog
	next    uint64 // arrival order, which breaks ties of time
	closed  bool
	stop    chan struct{}
	done    chan struct{}
}

// item is an event, or a line of the host's own log, waiting its turn.
type item struct {
	at   time.Time
	n    uint64
	emit func()
	// of and size: whose event it is and what it counts against their
	// backlog (nil for the host's lines).
	of   *lab.Component
	size int
}

// NewSequencer releases each event to emit once it is window old.
func NewSequencer(window time.Duration, emit func(run.Event)) *Sequencer {
	s := &Sequencer{window: window, emit: emit, waiting: map[*lab.Component]*backlog{}, stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// Add queues an event; it is safe to call from many goroutines. An event
// past its component's bounds is dropped and counted, unless it is one
// that must be shown: a server's Ready, a Summary.
func (s *Sequencer) Add(ev run.Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	size := eventOverhead
	if ev.Raw != nil {
		size += proto.Size(ev.Raw)
	} else if l, ok := ev.Body.(*pb.Log); ok {
		size += len(l.GetMessage())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.waiting[ev.Component]
	if b == nil {
		b = &backlog{}
		s.waiting[ev.Component] = b
	}
	if (b.events >= MaxPendingEvents || b.bytes+size > MaxPendingBytes) && ev.Kind != "summary" && ev.Kind != "ready" {
		b.dropped++
		return
	}
	b.events++
	b.bytes += size
	heap.Push(&s.pending, item{at: ev.Time, n: s.next, emit: func() { s.emit(ev) }, of: ev.Component, size: size})
	s.next++
}

// released takes a released event off its component's backlog; once that
// is empty, it returns the line that says how many were dropped.
func (s *Sequencer) released(it item) *run.Event {
	if it.of == nil {
		return nil
	}
	b := s.waiting[it.of]
	b.events--
	b.bytes -= it.size
	if b.events > 0 || b.dropped == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d events and lines suppressed: it sent more than could be shown (at most %d, %d MiB, waiting per component)",
		b.dropped, MaxPendingEvents, MaxPendingBytes>>20)
	b.dropped = 0
	return &run.Event{Component: it.of, Time: it.at, Kind: Suppressed, Body: &pb.Log{Level: pb.Log_LEVEL_WARN, Message: msg}}
}

// Suppressed is the kind of the line a Sequencer adds to say how many
// events of a component it dropped.
const Suppressed = "suppressed"

// Writer returns a writer to w whose writes, the host's own log entries,
// take their place among the events by the time they are written: a
// plugin's last lines on stderr come before the host's word that it
// failed. Once the Sequencer is closed, writes go straight to w.
func (s *Sequencer) Writer(w io.Writer) io.Writer { return sequencedWriter{s, w} }

type sequencedWriter struct {
	s *Sequencer
	w io.Writer
}

func (sw sequencedWriter) Write(p []byte) (int, error) {
	line := append([]byte(nil), p...)
	s := sw.s
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return sw.w.Write(p)
	}
	heap.Push(&s.pending, item{at: time.Now(), n: s.next, emit: func() { _, _ = sw.w.Write(line) }})
	s.next++
	s.mu.Unlock()
	return len(p), nil
}

// Close releases every queued event, in order, and stops.
func (s *Sequencer) Close() {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.release(time.Time{})
}

func (s *Sequencer) loop() {
	defer close(s.done)
	t := time.NewTicker(s.window / 4)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			s.release(now.Add(-s.window))
		case <-s.stop:
			return
		}
	}
}

// release emits the events that happened before cutoff (all when zero).
func (s *Sequencer) release(cutoff time.Time) {
	for {
		s.mu.Lock()
		if len(s.pending) == 0 || (!cutoff.IsZero() && s.pending[0].at.After(cutoff)) {
			s.mu.Unlock()
			return
		}
		it := heap.Pop(&s.pending).(item)
		note := s.released(it)
		s.mu.Unlock()
		it.emit()
		if note != nil {
			s.emit(*note)
		}
	}
}

type itemHeap []item

func (h itemHeap) Len() int { return len(h) }
func (h itemHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].n < h[j].n
	}
	return h[i].at.Before(h[j].at)
}
func (h itemHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *itemHeap) Push(x any)   { *h = append(*h, x.(item)) }
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
