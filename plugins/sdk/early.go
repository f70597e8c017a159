package sdk

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/internal/goplugin"
)

// A role can start before its Run call. The host names, in the plugin's
// environment (goplugin.EarlyEnv), the servers it is about to run and
// their settings, and Serve starts them while go-plugin's handshake is
// under way: on a processor that would otherwise wait for the host, a
// server binds its socket and reports Ready before the host could ask.
// Its events wait in its outbox until the Run call comes. A Run call with
// the same settings takes the run over as if it had started it; one with
// other settings stops it and runs its own.

const (
	// earlyStopLimit bounds the wait for an early run that a Run call with
	// other settings stopped.
	earlyStopLimit = time.Second
	// takenLimit bounds the wait for the early runs' Run calls before the
	// other roles are prepared anyway.
	takenLimit = 100 * time.Millisecond
)

// earlyStart starts a role before its Run call with its marshalled
// settings; taken is called once its Run call has come.
type earlyStart func(settings []byte, taken func()) error

// early is what Serve started before the Run calls.
type early struct {
	roles map[string]bool
	taken sync.WaitGroup // until each has its Run call
}

// startEarly starts each role that value names and starts serves; a role
// that cannot start early is run by its Run call as usual.
func startEarly(starts map[string]earlyStart, value string) *early {
	e := &early{roles: map[string]bool{}}
	settings, err := goplugin.Early(value)
	if err != nil {
		fmt.Fprintf(os.Stderr, "socklab plugin: %v: the roles start at their Run calls\n", err)
		return e
	}
	for role, cfg := range settings {
		start, ok := starts[role]
		if !ok {
			continue
		}
		e.taken.Add(1)
		var once sync.Once
		if err := start(cfg, func() { once.Do(e.taken.Done) }); err != nil {
			e.taken.Done()
			fmt.Fprintf(os.Stderr, "socklab plugin: starting %s early: %v\n", role, err)
			continue
		}
		e.roles[role] = true
	}
	return e
}

// others returns the roles of names that did not start early, once those
// that did have had their Run calls (or after limit): their Run calls come
// first, and preparing the others meanwhile would compete with them.
func (e *early) others(names []string, limit time.Duration) []string {
	taken := make(chan struct{})
	go func() {
		e.taken.Wait()
		close(taken)
	}()
	select {
	case <-taken:
	case <-time.After(limit):
	}
	var rest []string
	for _, name := range names {
		if !e.roles[name] {
			rest = append(rest, name)
		}
	}
	return rest
}

// earlyRun is a run started before its Run call.
type earlyRun[C, B any, E proto.Message] struct {
	cfg    *C
	out    *outbox[B, E]
	cancel context.CancelFunc
	taken  func()
	ended  chan struct{} // closed when the author's function returned
	err    error         // what it returned
}

// startEarly starts the role with settings, the marshalled *C.
func (s *service[C, B, E]) startEarly(settings []byte, taken func()) error {
	cfg := new(C)
	if err := proto.Unmarshal(settings, any(cfg).(proto.Message)); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &earlyRun[C, B, E]{cfg: cfg, out: newOutbox(s.batch, cancel), cancel: cancel, taken: taken, ended: make(chan struct{})}
	if s.begin(cancel, e) != nil {
		cancel()
		taken()
		return nil // its Run call came first, and runs it
	}
	go func() {
		defer close(e.ended)
		e.err = s.call(ctx, cfg, e.out.send)
	}()
	return nil
}

// takeEarly returns the early run a Run call with cfg takes over, nil if
// there is none. An early run of other settings is stopped first, and the
// call runs its own.
func (s *service[C, B, E]) takeEarly(cfg *C) *earlyRun[C, B, E] {
	s.mu.Lock()
	e := s.early
	s.early = nil
	s.mu.Unlock()
	if e == nil {
		return nil
	}
	e.taken()
	if proto.Equal(any(cfg).(proto.Message), any(e.cfg).(proto.Message)) {
		return e
	}
	e.cancel()
	e.out.discard()
	select {
	case <-e.ended:
	case <-time.After(earlyStopLimit):
	}
	s.mu.Lock()
	s.stop = nil // the call's begin follows
	s.mu.Unlock()
	return nil
}
