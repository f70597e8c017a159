package run

import (
	"context"
	"slices"
	"sync"

	"github.com/socklab/socklab/host/launch"
)

// The builtin plugin serves every reference role, one component per role
// and process (see sdk.Serve). A lab's builtin components therefore share
// processes: each process takes at most one component of each role, so a
// lab of a server and its client, or of all three of the sheet's pairs,
// starts one process and pays for one handshake. Separate processes would
// compete for the machine's cores during start-up, the most costly part
// of a short run.

// sharedProcess is one builtin plugin process and the components it serves.
type sharedProcess struct {
	opts  launch.Options // of the first component: its lines are shown under its name
	roles map[string]bool
	// early are the settings of the servers it starts before their Run
	// calls, by role; set before the start.
	early map[string][]byte

	once    sync.Once
	started chan struct{} // closed when the start has ended
	proc    *launch.Process
	err     error

	mu    sync.Mutex
	users int // components that have not released it
}

// sharing hands builtin components their process.
type sharing struct {
	mu    sync.Mutex
	procs []*sharedProcess
}

// join returns the process for a builtin component: an existing one with
// the same environment that serves no component of its role yet, or a new
// one.
func (s *sharing) join(o launch.Options) *sharedProcess {
	s.mu.Lock()
	defer s.mu.Unlock()
	add := func(p *sharedProcess) *sharedProcess {
		p.roles[o.Role] = true
		p.users++
		return p
	}
	for _, p := range s.procs {
		if !p.roles[o.Role] && sameProcess(p.opts.Spec, o.Spec) {
			return add(p)
		}
	}
	p := &sharedProcess{opts: o, roles: map[string]bool{}, started: make(chan struct{})}
	s.procs = append(s.procs, p)
	return add(p)
}

func sameProcess(a, b launch.Spec) bool {
	return a.WorkDir == b.WorkDir && a.StartTimeout == b.StartTimeout && slices.Equal(a.Env, b.Env)
}

// start starts the process once; every component sharing it waits for
// that start.
func (p *sharedProcess) start(ctx context.Context) (*launch.Process, error) {
	p.once.Do(func() {
		defer close(p.started)
		o := p.opts
		o.Early = p.early
		p.proc, p.err = launch.Start(ctx, o)
	})
	select {
	case <-p.started:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return p.proc, p.err
}

// release ends the process once no component uses it any more.
func (p *sharedProcess) release() {
	p.mu.Lock()
	p.users--
	last := p.users == 0
	p.mu.Unlock()
	if !last {
		return
	}
	select {
	case <-p.started:
		if p.proc != nil {
			p.proc.Kill()
		}
	default:
	}
}
