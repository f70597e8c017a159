package sdk

import (
	"context"
	"fmt"
	"os"
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

// earlyStopLimit bounds the wait for an early run that a Run call with
// other settings stopped.
const earlyStopLimit = time.Second

// earlyStart starts a role before its Run call with its marshalled
// settings.
type earlyStart func(settings []byte) error

// startEarly starts each role that value names and starts serves, and
// returns those it started; a role that cannot start early is run by its
// Run call as usual.
func startEarly(starts map[string]earlyStart, value string) map[string]bool {
	started := map[string]bool{}
	settings, err := goplugin.Early(value)
	if err != nil {
		fmt.Fprintf(os.Stderr, "socklab plugin: %v: the roles start at their Run calls\n", err)
		return started
	}
	for role, cfg := range settings {
		start, ok := starts[role]
		if !ok {
			continue
		}
		if err := start(cfg); err != nil {
			fmt.Fprintf(os.Stderr, "socklab plugin: starting %s early: %v\n", role, err)
			continue
		}
		started[role] = true
	}
	return started
}

// earlyRun is a run started before its Run call.
type earlyRun[C, B any, E proto.Message] struct {
	cfg    *C
	out    *outbox[B, E]
	cancel context.CancelFunc
	ended  chan struct{} // closed when the author's function returned
	err    error         // what it returned
}

// startEarly starts the role with settings, the marshalled *C.
func (s *service[C, B, E]) startEarly(settings []byte) error {
	cfg := new(C)
	if err := goplugin.Unmarshal(settings, any(cfg).(proto.Message)); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &earlyRun[C, B, E]{cfg: cfg, out: newOutbox(s.batch, cancel), cancel: cancel, ended: make(chan struct{})}
	if s.begin(cancel, e) != nil {
		cancel()
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
	if goplugin.Equal(any(cfg).(proto.Message), any(e.cfg).(proto.Message)) {
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
