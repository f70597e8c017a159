package ping

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// A ping server is judged by what crossed the reference client's link:
// the pings delivered to it and what it sent back.

// echoes pairs each ping delivered to the server with its reply.
type echoes struct {
	delivered []*link.Event
	// reply is, per delivered ping, the reply that answers it (upper-cased
	// or not), nil if none.
	reply map[*link.Event]*link.Event
	// stray are replies that answer no ping.
	stray []*link.Event
}

func serverEchoes(o *judge.Observed) echoes {
	e := echoes{reply: map[*link.Event]*link.Event{}}
	for _, client := range o.Peers(roles.PingClient().Name) {
		bySeq := map[int]*link.Event{}
		for _, ev := range o.LinkEvents(client, link.ToServer) {
			if ev.Fate.Has(link.Delivered) {
				e.delivered = append(e.delivered, ev)
				bySeq[payloadSeq(ev.Payload)] = ev
			}
		}
		for _, r := range o.LinkEvents(client, link.ToClient) {
			ping := bySeq[payloadSeq(r.Payload)]
			if ping == nil || e.reply[ping] != nil {
				e.stray = append(e.stray, r)
				continue
			}
			e.reply[ping] = r
		}
	}
	return e
}

// normalProbability is the chance a correct server fails drop_rate: the
// bounds are this many standard deviations of the binomial wide.
const dropRateSigmas = 6

func serverChecks() []*judge.Check {
	role := roles.PingServer().Name
	return []*judge.Check{
		{Role: role, Name: "echo_upper", Doc: "each reply is the ping it answers, upper-cased (ASCII letters only), sent back to the client",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				ex := serverEchoes(o)
				if len(ex.delivered) == 0 {
					return nil, fmt.Errorf("no ping reached the server")
				}
				answered := 0
				for _, ping := range ex.delivered {
					r := ex.reply[ping]
					if r == nil {
						continue
					}
					answered++
					if want := upperASCII(ping.Payload); !bytes.Equal(r.Payload, want) {
						e.Add("the reply %s to %s is not the ping upper-cased (%s)", judge.Quote(r.Payload), judge.Quote(ping.Payload), judge.Quote(want))
					}
				}
				for _, r := range ex.stray {
					e.Add("the server sent %s, which answers none of the pings", judge.Quote(r.Payload))
				}
				if answered == 0 {
					e.Add("the server answered none of the %d pings it received", len(ex.delivered))
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "survives_junk", Doc: "after junk datagrams (empty, binary, not a ping) the server keeps answering pings",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				if len(o.Probes) == 0 {
					return nil, fmt.Errorf("the scenario sends no junk: give it a probe")
				}
				ex := serverEchoes(o)
				if len(ex.reply) > 0 {
					return nil, nil
				}
				var junk []string
				for _, p := range o.Probes {
					junk = append(junk, judge.Quote(p.Sent))
				}
				return []string{fmt.Sprintf("after the junk datagrams %s the server answered none of the %d pings",
					strings.Join(junk, ", "), len(ex.delivered))}, nil
			}},
		{Role: role, Name: "drop_rate", Doc: "the share of pings left unanswered is near the configured drop_rate (within 6 standard deviations of the binomial)",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				ex := serverEchoes(o)
				n := float64(len(ex.delivered))
				if n < 50 {
					return nil, fmt.Errorf("only %d pings reached the server: too few to judge a drop rate", len(ex.delivered))
				}
				p := o.Under.Config.(*pb.PingServerConfig).DropRate
				dropped := n - float64(len(ex.reply))
				sd := math.Sqrt(n * p * (1 - p))
				lo, hi := n*p-dropRateSigmas*sd, n*p+dropRateSigmas*sd
				if dropped < lo || dropped > hi {
					return []string{fmt.Sprintf("the server left %.0f of %.0f pings unanswered (%.1f%%); with drop_rate %.3g that should be from %.1f%% to %.1f%%",
						dropped, n, 100*dropped/n, p, 100*max(0, lo)/n, 100*min(n, hi)/n)}, nil
				}
				return nil, nil
			}},
	}
}

// upperASCII is the sheet's message.upper() on bytes: ASCII letters only.
func upperASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
