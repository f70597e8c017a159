package run

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/plain"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// bindPoll is how often a plain server is looked at until it has bound
// its port.
const bindPoll = 20 * time.Millisecond

// programDriver runs a component as a plain program (lab.Program): it is
// started when the role's run starts, once per run of plain.Player, and
// what it prints becomes the role's events. A server is ready when its
// process has bound its address.
type programDriver struct {
	lab    *lab.Component
	log    zerolog.Logger
	output func(launch.Line)

	mu       sync.Mutex
	prog     *launch.Program
	stopping bool
}

func (d *programDriver) start(context.Context) error { return nil }

// address is where the program is to talk: a client's server (its link's
// front when it has one), or the address a server binds.
func (d *programDriver) address(cfg proto.Message) string {
	m := cfg.ProtoReflect()
	addr := m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(d.lab.Role.AddressField))).String()
	if d.lab.Role.Kind == roles.Server && d.lab.Plugin.Expects != "" {
		addr = d.lab.Plugin.Expects
	}
	return addr
}

func (d *programDriver) run(ctx context.Context, cfg proto.Message, emit func(proto.Message)) error {
	spec, role := d.lab.Plugin, d.lab.Role
	address := d.address(cfg)
	player, err := plain.New(role.Name, cfg, spec.Args, address)
	if err != nil {
		return fmt.Errorf("plain program: %w", err)
	}
	server := role.Kind == roles.Server
	port := 0
	if server {
		_, p, _ := net.SplitHostPort(address)
		if port, _ = strconv.Atoi(p); port == 0 {
			return fmt.Errorf("a plain server must bind a known port, not %q: set expects to the address it binds", address)
		}
	}
	// Lines come from the stdout and stderr readers; the player reads one
	// at a time and its events go out in order.
	var mu sync.Mutex
	for _, r := range player.Runs() {
		if d.isStopping() || ctx.Err() != nil {
			break
		}
		p, err := launch.StartProgram(launch.ProgramOptions{
			Component: d.lab.Name, Argv: append(slices.Clone(spec.Command), r.Args...),
			Dir: spec.WorkDir, Env: spec.Env, Log: d.log,
			Output: func(l launch.Line) {
				d.output(l)
				if l.Stream != "stdout" {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, ev := range player.Line(l.Text, l.Time) {
					emit(ev)
				}
			},
		})
		if err != nil {
			return err
		}
		d.mu.Lock()
		d.prog = p
		d.mu.Unlock()
		d.log.Debug().Int("pid", p.PID).Strs("argv", r.Args).Msg("program started")
		if server {
			if err := d.awaitBound(ctx, p, role.Transport, port); err != nil {
				p.Kill()
				return err
			}
			emit(readyEvent(role, address))
		}
		select {
		case <-p.Done():
		case <-ctx.Done():
			p.Kill()
		}
		mu.Lock()
		exit := p.Err()
		for _, ev := range player.EndRun(time.Now(), exit) {
			emit(ev)
		}
		mu.Unlock()
		if err := d.judgeExit(p, server); err != nil {
			return err
		}
	}
	for _, ev := range player.Finish(time.Now()) {
		emit(ev)
	}
	return nil
}

// awaitBound waits until the program has bound port, then the server is
// ready.
func (d *programDriver) awaitBound(ctx context.Context, p *launch.Program, transport string, port int) error {
	deadline := time.NewTimer(d.lab.Plugin.StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(bindPoll)
	defer tick.Stop()
	for {
		bound, err := p.Bound(transport, port)
		if err != nil {
			return fmt.Errorf("looking for its %s port %d: %w", transport, port, err)
		}
		if bound {
			return nil
		}
		select {
		case <-tick.C:
		case <-p.Done():
			return fmt.Errorf("ended before it bound %s port %d (%s)", transport, port, p.Diagnosis())
		case <-deadline.C:
			return fmt.Errorf("did not bind %s port %d within %s (start_timeout): a plain server must listen on the port it is expected on (the sheet's, or the plugin block's expects)",
				transport, port, d.lab.Plugin.StartTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// judgeExit says whether the way a run of the program ended is a failure.
// Once the host has asked it to stop, ending by its SIGTERM (or the kill
// after it) or with status 0 is what it should do; any other status is a
// failure of its own, such as a crash that the host noticed only after it
// had begun to stop the lab.
func (d *programDriver) judgeExit(p *launch.Program, server bool) error {
	exit := p.Err()
	if d.isStopping() && (exit == nil || signalled(exit)) {
		return nil
	}
	switch {
	case server:
		return fmt.Errorf("ended while the lab was running: a server runs until the host stops it (%s)", p.Diagnosis())
	case exit == nil, d.lab.Role.Name == "web_client":
		// The web client's runs are judged by what each printed.
		return nil
	}
	return fmt.Errorf("ended with %s", p.Diagnosis())
}

// signalled reports whether a process ended by a signal.
func signalled(exit error) bool {
	var ee *exec.ExitError
	if !errors.As(exit, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

func (d *programDriver) isStopping() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stopping
}

// stop asks the program to end as a terminal's Ctrl-C would: SIGTERM to
// its process group (Python's default is to exit).
func (d *programDriver) stop(context.Context) {
	d.mu.Lock()
	d.stopping = true
	p := d.prog
	d.mu.Unlock()
	if p != nil {
		p.Signal(syscall.SIGTERM)
	}
}

func (d *programDriver) stopFailed(grace time.Duration) error {
	return fmt.Errorf("did not end within %s of SIGTERM; it was killed", grace)
}

func (d *programDriver) kill() {
	d.mu.Lock()
	p := d.prog
	d.mu.Unlock()
	if p != nil {
		p.Kill()
	}
}

func (d *programDriver) pid() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.prog == nil {
		return 0
	}
	return d.prog.PID
}

// readyTimeout leaves the start_timeout to awaitBound, whose message says
// more.
func (d *programDriver) readyTimeout() time.Duration {
	return d.lab.Plugin.StartTimeout + 2*time.Second
}
func (d *programDriver) keepsContract() bool { return false }

// readyEvent is the Ready event of a server role, stamped now.
func readyEvent(role roles.Role, address string) proto.Message {
	ev := role.NewEvent()
	m := ev.ProtoReflect()
	m.Set(m.Descriptor().Fields().ByName("ready"), protoreflect.ValueOfMessage((&pb.Ready{Address: address}).ProtoReflect()))
	m.Set(m.Descriptor().Fields().ByName("time"), protoreflect.ValueOfMessage(timestamppb.Now().ProtoReflect()))
	return ev
}
