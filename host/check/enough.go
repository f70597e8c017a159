package check

import (
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run"
)

// A plain client under test may be written to run for ever (a heartbeat
// client naturally is), and cannot be told the scenario's count. enoughWatch ends its scenario once the client has sent
// what the scenario asks for and had time to show the outcome, or once
// it has fallen silent for good (a ping client blocked on a lost reply):
// it is then judged on what it did, as it would be at the lab's limit.
type enoughWatch struct {
	enough chan struct{}
	stop   chan struct{}
	once   sync.Once

	mu    sync.Mutex
	under *lab.Component
	rule  func(config proto.Message) judge.Enough
	count int
	sent  int
	last  time.Time // the latest datagram
	// countAt is when the count-th went out.
	countAt time.Time
	grace   time.Duration // after the count-th datagram
	idle    time.Duration // after any datagram; 0: never
}

// enoughPoll is how often the watch looks at the client.
const enoughPoll = 100 * time.Millisecond

func newEnoughWatch(under *lab.Component, g judge.Grader) *enoughWatch {
	w := &enoughWatch{enough: make(chan struct{}), stop: make(chan struct{}), under: under, rule: g.Enough}
	if under.Plugin.From != lab.Plain || g.Enough == nil {
		// A plugin is told its count and ends by itself; a role without a
		// rule is never enough before the clients are done.
		return w
	}
	go w.watch()
	return w
}

// settings reads the client's count and timeout: its settings are decoded
// when the run starts it, before its first datagram.
func (w *enoughWatch) settings() {
	if w.rule == nil {
		return
	}
	e := w.rule(w.under.Config)
	w.count, w.grace, w.idle = e.Count, e.Grace, e.Idle
}

// see takes every event of the run.
func (w *enoughWatch) see(ev run.Event) {
	if ev.Component != w.under || ev.Link == nil || ev.Link.Dir != link.ToServer {
		return
	}
	w.mu.Lock()
	if w.sent == 0 {
		w.settings()
	}
	w.sent++
	w.last = time.Now()
	if w.sent == w.count {
		w.countAt = w.last
	}
	w.mu.Unlock()
}

func (w *enoughWatch) watch() {
	tick := time.NewTicker(enoughPoll)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
		}
		w.mu.Lock()
		done := w.sent > 0 && ((w.count > 0 && w.sent >= w.count && time.Since(w.countAt) >= w.grace) || (w.idle > 0 && time.Since(w.last) >= w.idle))
		w.mu.Unlock()
		if done {
			close(w.enough)
			return
		}
	}
}

func (w *enoughWatch) close() { w.once.Do(func() { close(w.stop) }) }
