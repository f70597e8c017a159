package run

import (
	"fmt"
	"net/netip"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
)

// netLink is a UDP relay or a TCP proxy of package link.
type netLink interface {
	Addr() netip.AddrPort
	Summary() link.Summary
	// Settle relays what has reached the link and waits in its socket.
	Settle()
	Close() error
}

// linkSalt keeps a link's random stream apart from its client's, which is
// derived from the same component seed.
const linkSalt = 0x6c696e6b

// openLink puts a link between client c and the server its settings name,
// and points c at the link instead.
func (r *runner) openLink(c *component) error {
	spec := c.lab.Link
	if spec.Direct {
		return nil
	}
	m := c.cfg.ProtoReflect()
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(c.lab.Role.AddressField))
	front := spec.Front
	if front == "" && c.lab.Plugin.From == lab.Plain {
		// A plain client sends where it was written to: the link listens there.
		front = c.lab.Plugin.Expects
		if front == "" {
			front = c.lab.Role.Plain.Address
		}
	}
	cfg := link.Config{
		Name:     c.lab.Name,
		Front:    front,
		Target:   m.Get(fd).String(),
		ToServer: spec.ToServer,
		ToClient: spec.ToClient,
		Seed:     uint64(r.lab.ComponentSeed(c.lab)) ^ linkSalt,
		Sink: func(ev link.Event) {
			r.opts.Observe(Event{Component: c.lab, Source: FromLink, Time: ev.Time, Kind: "link", Link: &ev})
		},
		Capture: r.capture,
	}
	var l netLink
	var err error
	switch c.lab.Role.Transport {
	case "udp":
		l, err = link.NewUDP(r.linkCtx, cfg)
	case "tcp":
		l, err = link.NewTCP(r.linkCtx, cfg)
	default:
		return fmt.Errorf("no link for transport %q", c.lab.Role.Transport)
	}
	if err != nil {
		return fmt.Errorf("link to %s: %w", cfg.Target, err)
	}
	c.link, c.target = l, cfg.Target
	m.Set(fd, protoreflect.ValueOfString(l.Addr().String()))
	c.log.Debug().Str("front", l.Addr().String()).Str("target", cfg.Target).Msg("link open")
	return nil
}

// openCapture starts the run's pcap file, if one was asked for.
func (r *runner) openCapture() error {
	path := r.opts.Capture
	if path == "" {
		path = r.lab.Capture
	}
	if path == "" {
		return nil
	}
	c, err := link.CreateCapture(path)
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	r.capture = c
	if why := c.Synthesized(); why != nil {
		r.opts.Log.Warn().Msgf("capture %s: packets synthesized from what the links carried, not the kernel's (TCP ACKs and windows are not real): %v; capturing them needs CAP_NET_RAW, e.g. root in a network namespace", path, why)
	} else {
		r.opts.Log.Info().Msgf("capture %s: the kernel's packets on lo, pcapng with an interface per side of each link", path)
	}
	return nil
}

// settleLinks has every link relay what its clients sent before the run
// ends: a client that ended right after its last datagram is judged on it,
// whether or not the link had read it yet.
func (r *runner) settleLinks() {
	var wg sync.WaitGroup
	for _, c := range r.comps {
		if c.link != nil {
			wg.Go(c.link.Settle)
		}
	}
	wg.Wait()
}

// closeLinks closes every link, then the capture they write to.
func (r *runner) closeLinks() {
	for _, c := range r.comps {
		if c.link != nil {
			c.link.Close()
		}
	}
	r.cancelLinks()
	if r.capture != nil {
		if err := r.capture.Close(); err != nil {
			r.opts.Log.Error().Err(err).Msg("capture")
		}
	}
}
