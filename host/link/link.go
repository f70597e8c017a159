package link

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socklab/socklab/proto/roles"
)

// Config describes one link.
type Config struct {
	// Name identifies the link in events, summaries and errors.
	Name string
	// Front is the address clients use instead of the server's. Empty means
	// an ephemeral port on the loopback address of Target's family.
	Front string
	// Target is the server's address.
	Target string
	// ToServer and ToClient impair each direction; zero values are a clean link.
	ToServer, ToClient Impairment
	// Seed makes the impairments reproducible: the same seed, settings and
	// traffic give the same fates.
	Seed uint64
	// Sink, if set, receives every event.
	Sink Sink
	// SinkBuffer is how many events may wait for the Sink; 0 means DefaultSinkBuffer.
	SinkBuffer int
	// Capture, if set, gets a copy of all traffic through the link.
	Capture *Capture
}

func (c *Config) impairment(d Direction) *Impairment {
	if d == ToServer {
		return &c.ToServer
	}
	return &c.ToClient
}

// flow is one client of a UDP link or one connection of a TCP link, with the
// addresses of both sides.
type flow struct {
	id                              int
	client, front, upstream, server netip.AddrPort
}

// ends returns the sender and receiver of d's traffic on the side where the
// link receives it and on the side where the link sends it on.
func (f *flow) ends(d Direction) (in, out [2]netip.AddrPort) {
	if d == ToServer {
		return [2]netip.AddrPort{f.client, f.front}, [2]netip.AddrPort{f.upstream, f.server}
	}
	return [2]netip.AddrPort{f.server, f.upstream}, [2]netip.AddrPort{f.front, f.client}
}

// core is what UDP and TCP links share: configuration, lifetime, counters
// and the event pipeline.
type core struct {
	cfg    Config
	proto  roles.Transport
	addr   netip.AddrPort // front
	target netip.AddrPort
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine that may record

	dirs  [2]counters
	flows atomic.Int64

	events *eventQueue // nil without a Sink

	closeOnce sync.Once
}

func (cfg *Config) validate(proto roles.Transport) error {
	for _, d := range []Direction{ToServer, ToClient} {
		if err := cfg.impairment(d).Validate(proto); err != nil {
			return fmt.Errorf("link %q %s: %w", cfg.Name, d, err)
		}
	}
	return nil
}

// open validates cfg, resolves its target, listens on its front address
// (returning the *net.UDPConn or *net.TCPListener) and starts the link's
// life; run then starts serving.
func (c *core) open(ctx context.Context, cfg Config, proto roles.Transport) (io.Closer, error) {
	if err := cfg.validate(proto); err != nil {
		return nil, err
	}
	target, err := resolve(proto, cfg.Target)
	if err != nil {
		return nil, fmt.Errorf("link %q: target: %w", cfg.Name, err)
	}
	var lc net.ListenConfig
	var sock io.Closer
	front := frontAddr(cfg.Front, target.Addr())
	if proto == roles.UDP {
		var pc net.PacketConn
		if pc, err = lc.ListenPacket(ctx, string(proto), front); err == nil {
			sock, c.addr = pc, addrPort(pc.LocalAddr())
		}
	} else {
		var ln net.Listener
		if ln, err = lc.Listen(ctx, string(proto), front); err == nil {
			sock, c.addr = ln, addrPort(ln.Addr())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("link %q: %w", cfg.Name, err)
	}
	c.cfg, c.proto, c.target = cfg, proto, target
	cfg.Capture.watch(cfg.Name, c.addr, target)
	c.ctx, c.cancel = context.WithCancel(ctx)
	context.AfterFunc(c.ctx, func() { sock.Close() })
	if cfg.Sink != nil {
		c.events = newEventQueue(cfg.Sink, cfg.SinkBuffer)
	}
	return sock, nil
}

// run serves until the link closes, and makes the end of the link's context
// close it, so that the Sink's goroutine ends too.
func (c *core) run(serve func()) {
	c.spawn(serve)
	context.AfterFunc(c.ctx, func() { c.Close() })
}

// Addr is the front address that clients use.
func (c *core) Addr() netip.AddrPort { return c.addr }

// resolve returns a host:port's address, IPv4 in its plain form.
func resolve(proto roles.Transport, hostport string) (netip.AddrPort, error) {
	var a net.Addr
	var err error
	if proto == roles.UDP {
		a, err = net.ResolveUDPAddr(string(proto), hostport)
	} else {
		a, err = net.ResolveTCPAddr(string(proto), hostport)
	}
	if err != nil {
		return netip.AddrPort{}, err
	}
	return addrPort(a), nil
}

// spawn runs f as a goroutine that Close waits for.
func (c *core) spawn(f func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
}

// observed reports whether anything needs to see individual packets.
func (c *core) observed() bool { return c.events != nil || c.cfg.Capture != nil }

func (c *core) nextFlow() int { return int(c.flows.Add(1) - 1) }

// record accounts for one datagram or segment and hands its event to the
// Sink, dated now.
func (c *core) record(f *flow, d Direction, seq uint64, size int, fate Fate, delay time.Duration, data []byte) {
	c.recordArrived(f, d, seq, size, fate, delay, data, time.Time{}, time.Now())
}

// recordArrived records a datagram the kernel stamped when it reached the
// link (arrived; zero if it did not), dated passed: when the link passed it
// on or dropped it. A delivery is dated just before the link writes it,
// so that the peer, which can read it only after, never reports it
// earlier than the link however late the link's goroutine runs next.
func (c *core) recordArrived(f *flow, d Direction, seq uint64, size int, fate Fate, delay time.Duration, data []byte, arrived, passed time.Time) {
	c.dirs[d].add(size, fate)
	if c.proto == "udp" && fate != Delivered {
		c.cfg.Capture.note(c.cfg.Name, f, d, seq, fate, delay, data)
	}
	if c.events == nil {
		return
	}
	ev := Event{
		Time: passed, Link: c.cfg.Name, Proto: c.proto, Flow: f.id, Dir: d, Seq: seq, Size: size, Fate: fate,
		Client: f.client, Front: f.front, Upstream: f.upstream, Server: f.server,
		Payload: append([]byte(nil), data[:min(len(data), PayloadMax)]...), Arrived: arrived,
	}
	if fate&(Delayed|Reordered) != 0 {
		ev.Delay = delay
	}
	c.events.push(ev)
}

// Close stops the link, waits for its goroutines and for the Sink to have
// every event, and returns. Pending delayed datagrams are recorded as
// dropped; open TCP connections are reset. It is safe to call more than once
// and is also done when the context given to the constructor ends.
func (c *core) Close() error {
	c.closeOnce.Do(func() {
		c.cancel()
		c.wg.Wait()
		c.events.close()
	})
	return nil
}

// Summary returns what the link has done so far; after Close it is final.
func (c *core) Summary() Summary {
	return Summary{
		Link: c.cfg.Name, Proto: c.proto, Flows: int(c.flows.Load()),
		ToServer: c.dirs[ToServer].load(), ToClient: c.dirs[ToClient].load(),
		EventsLost: c.events.lostCount(),
	}
}

// frontAddr is where a link listens: cfg.Front, or an ephemeral loopback
// port of the target's family.
func frontAddr(front string, target netip.Addr) string {
	if front != "" {
		return front
	}
	if target.Is6() && !target.Is4In6() {
		return "[::1]:0"
	}
	return "127.0.0.1:0"
}

// addrPort converts a socket address for events and captures.
func addrPort(a net.Addr) netip.AddrPort {
	var ap netip.AddrPort
	switch a := a.(type) {
	case *net.UDPAddr:
		ap = a.AddrPort()
	case *net.TCPAddr:
		ap = a.AddrPort()
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
