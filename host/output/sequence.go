package output

import (
	"container/heap"
	"io"
	"sync"
	"time"

	"github.com/socklab/socklab/host/run"
)

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
}

// NewSequencer releases each event to emit once it is window old.
func NewSequencer(window time.Duration, emit func(run.Event)) *Sequencer {
	s := &Sequencer{window: window, emit: emit, stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// Add queues an event; it is safe to call from many goroutines.
func (s *Sequencer) Add(ev run.Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	s.push(ev.Time, func() { s.emit(ev) })
}

func (s *Sequencer) push(at time.Time, emit func()) {
	s.mu.Lock()
	heap.Push(&s.pending, item{at: at, n: s.next, emit: emit})
	s.next++
	s.mu.Unlock()
}

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
		s.mu.Unlock()
		it.emit()
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
