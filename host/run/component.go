package run

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// component is one component during a run.
type component struct {
	lab *lab.Component
	log zerolog.Logger
	cfg proto.Message

	launched  chan struct{} // closed when its plugin's start has ended
	launchErr error         // how the start failed, once launched is closed
	ready     chan string   // a server's first Ready address
	done      chan struct{} // closed when its Run stream has ended

	drv driver

	mu         sync.Mutex
	link       netLink // a client's link, set before its Run starts
	cancelCall context.CancelFunc
	started    bool
	stopping   bool
	err        error
	address    string
	summary    proto.Message
	events     int
	seen       evidence // what its events show, for its verdict
	target     string   // a client's server, as its settings name it
}

func newComponent(c *lab.Component, log zerolog.Logger) *component {
	return &component{
		lab:      c,
		log:      log.With().Str("component", c.Name).Logger(),
		launched: make(chan struct{}),
		ready:    make(chan string, 1),
		done:     make(chan struct{}),
	}
}

// setErr records the first error; it reports whether this one was first.
func (c *component) setErr(err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return false
	}
	c.err = err
	return true
}

func (c *component) finished() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// serve runs the component's role and relays its events until its run ends.
func (c *component) serve(r *runner) {
	defer close(c.done)
	callCtx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.cancelCall, c.started = cancel, true
	c.mu.Unlock()
	defer cancel()

	contract := c.drv.keepsContract()
	var misdated, misdatedNoted int
	err := c.drv.run(callCtx, c.cfg, func(ev proto.Message) {
		kind, body, _ := roles.Unpack(ev)
		at, note := when(ev, r.start, time.Now())
		if contract {
			if problem := c.protocolProblem(kind, body); problem != nil {
				r.fail(c, problem)
				cancel()
				return
			}
			if note != "" {
				// Told once per component, then counted.
				if misdated++; misdated == 1 {
					misdatedNoted = 1
					c.log.Warn().Msgf("its %q event %s: shown at the time it was received", kind, note)
				}
			}
		}
		c.record(kind, body)
		r.opts.Observe(Event{Component: c.lab, Time: at, Kind: kind, Body: body, Raw: ev})
	})
	if misdated > misdatedNoted {
		c.log.Warn().Msgf("%d of its events were dated outside the run and shown at the time they were received", misdated)
	}
	if err == nil {
		err = c.checkEnd()
	}
	switch {
	case err == nil:
	case c.lab.Role.Side == roles.Server && c.wasReady() && r.hasClients():
		// A server that ends while the lab has clients ends nothing else:
		// what it already sent is still on its way, and the clients finish
		// within their own timeouts, so what they report does not depend
		// on how soon the host noticed the exit.
		r.note(c, err)
	default:
		r.fail(c, err)
	}
}

// wasReady reports whether a server has sent its Ready.
func (c *component) wasReady() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.address != ""
}

// protocolProblem says what is wrong with an event the protocol forbids:
// an empty one, a second Summary, a number no event may hold.
func (c *component) protocolProblem(kind string, body proto.Message) error {
	if kind == "" {
		return errors.New("sent an empty event (its event field holds nothing): every event is one of its role's kinds")
	}
	if kind == "summary" {
		c.mu.Lock()
		second := c.summary != nil
		c.mu.Unlock()
		if second {
			return errors.New("sent a second Summary event: a component reports Summary once, last")
		}
	}
	if bad := badValue(body.ProtoReflect(), kind+"."); bad != "" {
		return fmt.Errorf("sent a %q event whose %s", kind, bad)
	}
	return nil
}

func (c *component) record(kind string, body proto.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events++
	c.seen.note(c.lab.Role, kind, body)
	switch kind {
	case "ready":
		if c.address == "" {
			c.address = body.(*pb.Ready).GetAddress()
			c.ready <- lab.Connectable(c.address)
		}
	case "summary":
		c.summary = body
	}
}

// checkEnd judges a Run that returned normally.
func (c *component) checkEnd() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lab.Role.Side == roles.Server && !c.stopping {
		return c.endedEarlyLocked("while the lab was running")
	}
	if c.summary == nil && !c.stopping && c.drv.keepsContract() {
		return errors.New("ended without its Summary event: a component reports Summary last")
	}
	return nil
}

func (c *component) endedEarly(when string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return c.endedEarlyLocked(when)
}

func (c *component) endedEarlyLocked(when string) error {
	return fmt.Errorf("ended its Run %s: a server runs until the host stops it", when)
}

// stop asks a running component to finish, and cuts it off after grace.
func (c *component) stop(grace time.Duration) error {
	c.mu.Lock()
	c.stopping = true
	started, cancel := c.started, c.cancelCall
	c.mu.Unlock()
	if !started || c.finished() {
		return nil
	}
	ctx, cancelStop := context.WithTimeout(context.Background(), grace)
	defer cancelStop()
	c.drv.stop(ctx)
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
	}
	cancel()
	<-c.done
	return c.drv.stopFailed(grace)
}

func (c *component) kill() { c.drv.kill() }

// ran reports whether its Run was called.
func (c *component) ran() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.started
}

func (c *component) evidence() *evidence {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.seen
	return &e
}

func (c *component) result() *ComponentResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := &ComponentResult{Component: c.lab, Address: c.address, Err: c.err, Summary: c.summary, Events: c.events}
	if c.link != nil {
		sum := c.link.Summary()
		res.Link = &sum
	}
	res.PID = c.drv.pid()
	return res
}
