package output

import (
	"container/heap"
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
	pending eventHeap
	stop    chan struct{}
	done    chan struct{}
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
	s.mu.Lock()
	heap.Push(&s.pending, ev)
	s.mu.Unlock()
}

// Close releases every queued event, in order, and stops.
func (s *Sequencer) Close() {
	close(s.stop)
	<-s.done
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
		if len(s.pending) == 0 || (!cutoff.IsZero() && s.pending[0].Time.After(cutoff)) {
			s.mu.Unlock()
			return
		}
		ev := heap.Pop(&s.pending).(run.Event)
		s.mu.Unlock()
		s.emit(ev)
	}
}

type eventHeap []run.Event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return h[i].Time.Before(h[j].Time) }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(run.Event)) }
func (h *eventHeap) Pop() any {
	old := *h
	ev := old[len(old)-1]
	*h = old[:len(old)-1]
	return ev
}
