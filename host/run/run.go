// Package run runs a lab. It starts every component's plugin, then each
// server once the servers it refers to are ready (each must report
// Ready; servers that do not refer to each other start together), then
// the clients;
// it relays every event as it arrives, and when the clients are done, a
// component fails, the lab times out or the host is interrupted, it stops
// everything and reports how each component ended.
//
// A component is run by a driver: a go-plugin process serving the role's
// gRPC service, or a plain program (lab.Plain) that the host runs as an
// ordinary process, whose output package plain reads as the role's events
// and which, as a server, is ready once it has bound its port.
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
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/text"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Event is one event of one component, as it arrived: an event of its role
// (Source FromRole), a line it wrote (FromOutput: Kind "stdout", "stderr"
// or "plugin-log", Body a *pb.Log) or what its link did to a datagram or
// segment (FromLink: Kind "link", Link set, Body nil).
type Event struct {
	Component *lab.Component
	Source    Source
	// Time is when it happened, as the plugin stamped it.
	Time time.Time
	// Kind names the event within its source ("ready", "reply",
	// "summary", ...; "stdout"...; "link") and Body is its message; Raw is
	// the whole role event.
	Kind string
	Body proto.Message
	Raw  proto.Message
	Link *link.Event
}

// Source is where an Event comes from.
type Source int

const (
	// FromRole is an event of the component's role: sent by its plugin,
	// or read from a plain program's output.
	FromRole Source = iota
	// FromOutput is a line the component's process wrote.
	FromOutput
	// FromLink is what the client's link did to a datagram or segment.
	FromLink
)

func (s Source) String() string {
	switch s {
	case FromOutput:
		return "output"
	case FromLink:
		return "link"
	}
	return "role"
}

// Options configure a run.
type Options struct {
	// Builtin is the command line serving the builtin reference roles.
	Builtin []string
	Builder *launch.Builder
	// Log receives the host's own messages and the plugins' output.
	Log zerolog.Logger
	// Observe is called with every event, from many goroutines.
	Observe func(Event)
	// Contain, if set, is the host's own command line: every component
	// runs under its contain subcommand, so that nothing it starts
	// outlives the run (launch.Contain).
	Contain []string
	// StopGrace is how long a component has to finish after Stop.
	StopGrace time.Duration
	// Capture, if set, is the pcap file for the run's link traffic,
	// instead of the lab's.
	Capture string
	// ServersReady, if set, is called once every server is ready and
	// before any client starts, with the address each server is reached
	// at, by component name: a grader probes servers from it. An error
	// ends the run as a failure of the run itself.
	ServersReady func(ctx context.Context, servers map[string]string) error
	// Enough, if set, is closed once the caller has seen all it needs of
	// the run: the run then ends as if its clients were done, and a client
	// still running (one written to run for ever) is stopped, not failed.
	Enough <-chan struct{}
}

// Result is how a run ended.
type Result struct {
	// Err is a failure of the run itself, not of a component.
	Err        error
	Components []*ComponentResult
	// Interrupted: the host was asked to stop before the lab was done.
	Interrupted bool
	// Startup is the time from the start of Run until every plugin had
	// completed its handshake and every server was ready.
	Startup time.Duration
	Elapsed time.Duration
}

// OK reports whether every component ran and succeeded.
func (r *Result) OK() bool {
	if r.Err != nil {
		return false
	}
	for _, c := range r.Components {
		if c.Status() != OK {
			return false
		}
	}
	return true
}

// ComponentResult is how one component ended.
type ComponentResult struct {
	Component *lab.Component
	PID       int
	// Address is where a server was bound.
	Address string
	// Err is why its process or its Run failed; nil if neither did.
	Err error
	// Verdict, for a component that ran to the end without Err, is what
	// it failed to do as its Summary and its links show (a client that
	// sent nothing, a server that reported nothing it was sent); nil if
	// nothing shows that.
	Verdict error
	// NotRun is why its Run was never called; nil if it was.
	NotRun error
	// Summary is its Summary event, if it sent one.
	Summary proto.Message
	Events  int
	// Link is what a client's link did, if it had one.
	Link *link.Summary
}

const defaultStopGrace = 3 * time.Second

// Run runs l until it is done or ctx is cancelled (an interrupt). Every
// plugin process starts at once; each server runs as soon as its own
// process and the servers it refers to are ready, and the clients once all
// are.
func Run(ctx context.Context, l *lab.Lab, o Options) *Result {
	if o.StopGrace == 0 {
		o.StopGrace = defaultStopGrace
	}
	if o.Observe == nil {
		o.Observe = func(Event) {}
	}
	start := time.Now()
	r := &runner{lab: l, opts: o, start: start, failed: make(chan struct{}), scope: l.NewScope()}
	// Links outlive an interrupt: they carry traffic until every component
	// has stopped.
	r.linkCtx, r.cancelLinks = context.WithCancel(context.Background())
	if sockets, err := launch.NewSocketDir(); err == nil {
		r.sockets = sockets.Path
		defer sockets.Remove()
	} else {
		o.Log.Warn().Err(err).Msg("plugins make their sockets in the temporary directory")
	}
	for _, c := range l.Components {
		comp := newComponent(c, o.Log)
		comp.drv = r.newDriver(comp)
		r.comps = append(r.comps, comp)
	}
	res := &Result{}
	launchCtx, cancelLaunches := context.WithCancel(ctx)
	defer func() {
		cancelLaunches()
		r.launching.Wait()
		r.settleLinks()
		r.shutdown()
		r.closeLinks()
		res.Elapsed = time.Since(start)
		for _, c := range r.comps {
			res.Components = append(res.Components, c.result())
		}
		var first *component
		if r.hasFailed() { // r.first was set before failed was closed
			first = r.first
		}
		judge(res, r.comps, first)
		r.sweeping.Wait()
	}()
	if err := r.openCapture(); err != nil {
		res.Err = err
		return res
	}
	if !r.decodeEarly() {
		return res
	}
	r.launchAll(launchCtx)
	// What killed runs left is removed while the plugins start, not
	// before: a run's start-up waits for nothing but its own processes.
	r.sweeping.Go(launch.RemoveStaleSocketDirs)
	if !r.startServers(ctx) || !r.allLaunched(ctx) {
		res.Interrupted = ctx.Err() != nil
		return res
	}
	res.Startup = time.Since(start)
	if o.ServersReady != nil {
		if err := o.ServersReady(ctx, r.serverAddresses()); err != nil {
			res.Err = err
			return res
		}
	}
	clients := r.startClients()
	res.Interrupted = !r.wait(ctx, clients)
	return res
}

type runner struct {
	lab   *lab.Lab
	opts  Options
	comps []*component
	start time.Time
	// sockets is the run's directory of plugin sockets.
	sockets string
	// scope decodes the components' settings.
	scope *lab.Scope

	linkCtx     context.Context
	cancelLinks context.CancelFunc
	capture     *link.Capture

	sharing   sharing        // builtin components' processes
	launching sync.WaitGroup // plugin starts under way
	sweeping  sync.WaitGroup // the removal of killed runs' socket directories

	failOnce sync.Once
	failed   chan struct{} // closed when a component fails
	first    *component    // the first that failed
}

// fail records c's failure and ends the run.
func (r *runner) fail(c *component, err error) {
	if c.setErr(err) {
		c.log.Error().Msg(text.EscapeLines(err.Error()))
	}
	r.failOnce.Do(func() {
		r.first = c
		close(r.failed)
	})
}

// note records c's failure without ending the run.
func (r *runner) note(c *component, err error) {
	if c.setErr(err) {
		c.log.Error().Msg(text.EscapeLines(err.Error()))
	}
}

// hasClients reports whether the lab has a client.
func (r *runner) hasClients() bool {
	for _, c := range r.comps {
		if c.lab.Role.Side == roles.Client {
			return true
		}
	}
	return false
}

// launchAll starts every plugin process at once, servers' first; each
// component's launched channel is closed when its start has ended.
func (r *runner) launchAll(ctx context.Context) {
	for _, side := range []roles.Side{roles.Server, roles.Client} {
		for _, c := range r.comps {
			if c.lab.Role.Side != side {
				continue
			}
			r.launching.Go(func() {
				err := c.drv.start(ctx)
				if err != nil && ctx.Err() == nil {
					r.fail(c, err)
				}
				c.launchErr = err
				close(c.launched)
			})
		}
	}
}

func (r *runner) hasFailed() bool {
	select {
	case <-r.failed:
		return true
	default:
		return false
	}
}

// allLaunched waits until every plugin has started.
func (r *runner) allLaunched(ctx context.Context) bool {
	for _, c := range r.comps {
		if !r.awaitLaunch(ctx, c) {
			return false
		}
	}
	return true
}

// awaitLaunch waits for c's plugin to start: false if it or the run failed.
func (r *runner) awaitLaunch(ctx context.Context, c *component) bool {
	select {
	case <-c.launched:
		return c.launchErr == nil
	case <-r.failed:
		return false
	case <-ctx.Done():
		return false
	}
}

// startServers runs each server as soon as its own plugin has started and
// the servers its settings refer to are ready, so that servers that do not
// refer to each other start together; each component's settings are
// decoded once those it refers to are (clients' with the addresses the
// servers really bound), and each client gets its link. It returns once
// every server is ready, false if the run failed or ended first.
func (r *runner) startServers(ctx context.Context) bool {
	byLab := map[*lab.Component]*component{}
	for _, c := range r.comps {
		byLab[c.lab] = c
	}
	decoded := map[*component]bool{}
	ready := map[*component]bool{}
	// settled: what c refers to is decoded, and every server among it ready.
	settled := func(c *component) bool {
		for _, d := range c.lab.Deps() {
			dc := byLab[d]
			if !decoded[dc] || (d.Role.Side == roles.Server && !ready[dc]) {
				return false
			}
		}
		return true
	}
	type outcome struct {
		c    *component
		addr string
		ok   bool
	}
	outcomes := make(chan outcome, len(r.comps))
	waiting := 0
	for {
		// Decode, in the lab's order, every component whose references
		// are settled; a server starts at once, a client gets its link.
		for progress := true; progress; {
			progress = false
			for _, c := range r.comps {
				if decoded[c] || !settled(c) {
					continue
				}
				progress = true
				decoded[c] = true
				if c.cfg == nil && !r.decode(c) { // else decoded early
					return false
				}
				if c.lab.Role.Side != roles.Server {
					if err := r.openLink(c); err != nil {
						r.fail(c, err)
						return false
					}
					continue
				}
				waiting++
				go func() {
					addr, ok := r.serveUntilReady(ctx, c)
					outcomes <- outcome{c, addr, ok}
				}()
			}
		}
		if waiting == 0 {
			for _, c := range r.comps {
				if !decoded[c] { // the lab's order rules this out
					r.fail(c, errors.New("refers to components that were never ready"))
					return false
				}
			}
			return true
		}
		o := <-outcomes
		waiting--
		if !o.ok {
			return false
		}
		ready[o.c] = true
		r.scope.Bound(o.c.lab, o.addr)
	}
}

// decode decodes c's settings into c.cfg: false, the run failed, if they
// have errors.
func (r *runner) decode(c *component) bool {
	cfg, diags := r.scope.Decode(c.lab)
	if diags.HasErrors() {
		r.fail(c, fmt.Errorf("settings: %s", diags.Error()))
		return false
	}
	c.cfg = cfg
	return true
}

// decodeEarly decodes, before any plugin starts, the settings of the
// builtin servers that refer to no other component, and hands them to
// their processes, which start those servers during the handshake
// (goplugin.EarlyEnv): a server's Run call then finds it bound and Ready.
// False if a server's settings have errors.
func (r *runner) decodeEarly() bool {
	for _, c := range r.comps {
		d, ok := c.drv.(*pluginDriver)
		if !ok || d.shared == nil || c.lab.Role.Side != roles.Server || len(c.lab.Deps()) > 0 {
			continue
		}
		if !r.decode(c) {
			return false
		}
		settings, err := proto.Marshal(c.cfg)
		if err != nil {
			continue // its Run call sends them, and says what is wrong
		}
		if d.shared.early == nil {
			d.shared.early = map[string][]byte{}
		}
		d.shared.early[c.lab.Role.Name] = settings
	}
	return true
}

// serveUntilReady runs server c once its plugin has started and returns
// the address it reports Ready with; false if it or the run failed first.
func (r *runner) serveUntilReady(ctx context.Context, c *component) (string, bool) {
	if !r.awaitLaunch(ctx, c) {
		return "", false
	}
	go c.serve(r)
	select {
	case addr := <-c.ready:
		return addr, true
	case <-c.done:
		r.fail(c, c.endedEarly("before it was ready"))
	case <-time.After(c.drv.readyTimeout()):
		r.fail(c, fmt.Errorf("did not report Ready within %s (start_timeout): a server sends Ready once its socket is bound", c.lab.Plugin.StartTimeout))
	case <-r.failed:
	case <-ctx.Done():
	}
	return "", false
}

// serverAddresses maps each server's name to where it is reached.
func (r *runner) serverAddresses() map[string]string {
	addrs := map[string]string{}
	for _, c := range r.comps {
		if c.lab.Role.Side == roles.Server {
			c.mu.Lock()
			addrs[c.lab.Name] = lab.Connectable(c.address)
			c.mu.Unlock()
		}
	}
	return addrs
}

func (r *runner) startClients() []*component {
	var clients []*component
	for _, c := range r.comps {
		if c.lab.Role.Side == roles.Client {
			go c.serve(r)
			clients = append(clients, c)
		}
	}
	return clients
}

// wait returns when the lab is done: false if the host was interrupted.
func (r *runner) wait(ctx context.Context, clients []*component) bool {
	var deadline <-chan time.Time
	limit := r.lab.Timeout
	if len(clients) == 0 {
		limit = r.lab.Duration
	}
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		deadline = t.C
	}
	allDone := make(chan struct{})
	go func() {
		for _, c := range clients {
			<-c.done
		}
		if len(clients) > 0 {
			close(allDone)
		}
	}()
	select {
	case <-allDone:
	case <-r.opts.Enough:
	case <-r.failed:
	case <-deadline:
		for _, c := range clients {
			if !c.finished() {
				r.fail(c, fmt.Errorf("did not finish within %s (the lab's timeout)", limit))
			}
		}
	case <-ctx.Done():
		return false
	}
	return true
}

// shutdown stops every component still running and ends every process.
func (r *runner) shutdown() {
	var wg sync.WaitGroup
	for _, c := range r.comps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.stop(r.opts.StopGrace); err != nil {
				r.fail(c, err)
			}
			c.kill()
		}()
	}
	wg.Wait()
}

func logLevel(l zerolog.Level) pb.Log_Level {
	switch {
	case l <= zerolog.DebugLevel:
		return pb.Log_LEVEL_DEBUG
	case l == zerolog.WarnLevel:
		return pb.Log_LEVEL_WARN
	case l >= zerolog.ErrorLevel:
		return pb.Log_LEVEL_ERROR
	}
	return pb.Log_LEVEL_INFO
}
