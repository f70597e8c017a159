package run

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
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

// plainDriver runs a component as a plain program (lab.Plain): it is
// started when the role's run starts, once per run of plain.Player, and
// what it prints becomes the role's events. A server is ready when its
// process has bound its address.
type plainDriver struct {
	lab    *lab.Component
	log    zerolog.Logger
	output func(launch.Line)
	// contain is the host's command line, to contain the program with.
	contain []string

	mu       sync.Mutex
	prog     *launch.PlainProcess
	stopping bool
}

func (d *plainDriver) start(context.Context) error { return nil }

// address is where the program is to talk: a client's server (its link's
// front when it has one), or the address a server binds.
func (d *plainDriver) address(cfg proto.Message) string {
	m := cfg.ProtoReflect()
	addr := m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(d.lab.Role.AddressField))).String()
	if d.lab.Role.Side == roles.Server && d.lab.Plugin.Expects != "" {
		addr = d.lab.Plugin.Expects
	}
	return addr
}

func (d *plainDriver) run(ctx context.Context, cfg proto.Message, emit func(proto.Message)) error {
	spec, role := d.lab.Plugin, d.lab.Role
	if role.Plain.Dir != nil && !spec.DirSet {
		if dir := role.Plain.Dir(cfg); dir != "" {
			spec.WorkDir = dir
		}
	}
	address := d.address(cfg)
	player, err := plain.New(role, cfg, spec.Args, address)
	if err != nil {
		return fmt.Errorf("plain program: %w", err)
	}
	server := role.Side == roles.Server
	port := 0
	if server {
		_, p, _ := net.SplitHostPort(address)
		port, _ = strconv.Atoi(p) // 0: wherever it binds
	}
	// Lines come from the stdout and stderr readers; the player reads one
	// at a time and its events go out in order.
	var mu sync.Mutex
	for _, r := range player.Runs() {
		if d.isStopping() || ctx.Err() != nil {
			break
		}
		p, err := launch.StartPlain(launch.PlainOptions{
			Component: d.lab.Name, Argv: append(slices.Clone(spec.Command), r.Args...),
			Dir: spec.WorkDir, Env: spec.Env, Log: d.log, Contain: d.contain,
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
			bound, err := d.awaitBound(ctx, p, role.Transport, port)
			if err != nil {
				p.Kill()
				return err
			}
			d.log.Info().Msgf("bound %s %s (seen in /proc)", role.Transport, bound)
			emit(readyEvent(role, bound.String()))
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

// awaitBound waits until the program has bound a socket (a listening one
// for TCP), and returns where it is reached: the port it bound, on
// 127.0.0.1 when it bound every address. With port set, only that port
// will do.
func (d *plainDriver) awaitBound(ctx context.Context, p *launch.PlainProcess, transport roles.Transport, port int) (netip.AddrPort, error) {
	deadline := time.NewTimer(d.lab.Plugin.StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(bindPoll)
	defer tick.Stop()
	var seen []netip.AddrPort
	for {
		bound, err := p.Bound(transport)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("looking for the %s port it bound: %w", transport, err)
		}
		seen = bound
		for _, a := range bound {
			if port == 0 || int(a.Port()) == port {
				return reachable(a), nil
			}
		}
		want := fmt.Sprintf("%s port %d", transport, port)
		if port == 0 {
			want = "a " + string(transport) + " port"
		}
		select {
		case <-tick.C:
		case <-p.Done():
			return netip.AddrPort{}, fmt.Errorf("never started serving: it ended before it bound %s (%s)", want, p.Diagnosis())
		case <-deadline.C:
			if len(seen) > 0 {
				return netip.AddrPort{}, fmt.Errorf("bound %s, not %s, within %s (start_timeout): the plugin block's expects names the port it is expected on",
					addrList(seen), want, d.lab.Plugin.StartTimeout)
			}
			return netip.AddrPort{}, fmt.Errorf("did not bind %s within %s (start_timeout)", want, d.lab.Plugin.StartTimeout)
		case <-ctx.Done():
			return netip.AddrPort{}, ctx.Err()
		}
	}
}

// reachable is where a client reaches a server bound to a: a wildcard
// address is reached on the loopback.
func reachable(a netip.AddrPort) netip.AddrPort {
	if a.Addr().IsUnspecified() {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), a.Port())
	}
	return a
}

func addrList(as []netip.AddrPort) string {
	var s []string
	for _, a := range as {
		s = append(s, a.String())
	}
	return strings.Join(s, ", ")
}

// judgeExit says whether the way a run of the program ended is a failure.
// Once the host has asked it to stop, ending by its SIGTERM (or the kill
// after it) or with status 0 is what it should do; any other status is a
// failure of its own, such as a crash that the host noticed only after it
// had begun to stop the lab.
func (d *plainDriver) judgeExit(p *launch.PlainProcess, server bool) error {
	exit := p.Err()
	if d.isStopping() && launch.Signaled(exit) {
		// A program that crashed just before the host began to stop the
		// lab (its crash is what ended the lab's exchange) may still be
		// exiting when SIGTERM comes: its stderr ending in the crash says
		// so, whichever came first.
		if crash := p.CrashReport(); crash != "" {
			return fmt.Errorf("crashed while the lab was running: %s; it was still exiting when the host stopped the lab (%v)", crash, exit)
		}
		return nil
	}
	if d.isStopping() && exit == nil {
		return nil
	}
	switch {
	case server:
		return fmt.Errorf("ended while the lab was running: a server runs until the host stops it (%s)", p.Diagnosis())
	case exit == nil, d.lab.Role.Plain.JudgedByOutput:
		return nil
	}
	return fmt.Errorf("ended with %s", p.Diagnosis())
}

func (d *plainDriver) isStopping() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stopping
}

// stop asks the program to end as a terminal's Ctrl-C would: SIGTERM to
// its process group (Python's default is to exit).
func (d *plainDriver) stop(context.Context) {
	d.mu.Lock()
	d.stopping = true
	p := d.prog
	d.mu.Unlock()
	if p != nil {
		p.Signal(syscall.SIGTERM)
	}
}

func (d *plainDriver) stopFailed(grace time.Duration) error {
	return fmt.Errorf("did not end within %s of SIGTERM; it was killed", grace)
}

func (d *plainDriver) kill() {
	d.mu.Lock()
	p := d.prog
	d.mu.Unlock()
	if p != nil {
		p.Kill()
	}
}

func (d *plainDriver) pid() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.prog == nil {
		return 0
	}
	return d.prog.PID
}

// readyTimeout leaves the start_timeout to awaitBound, whose message says
// more.
func (d *plainDriver) readyTimeout() time.Duration {
	return d.lab.Plugin.StartTimeout + 2*time.Second
}
func (d *plainDriver) keepsContract() bool { return false }

// readyEvent is the Ready event of a server role, stamped now.
func readyEvent(role roles.Role, address string) proto.Message {
	ev := role.NewEvent()
	m := ev.ProtoReflect()
	m.Set(m.Descriptor().Fields().ByName("ready"), protoreflect.ValueOfMessage((&pb.Ready{Address: address}).ProtoReflect()))
	m.Set(m.Descriptor().Fields().ByName("time"), protoreflect.ValueOfMessage(timestamppb.Now().ProtoReflect()))
	return ev
}
