package labs

import (
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	judgeping "github.com/socklab/socklab/host/check/judge/ping"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/page/figure"
	"github.com/socklab/socklab/host/plain"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/host/text"
	refping "github.com/socklab/socklab/plugins/reference/ping"
	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// PingServer is the UDP Pinger's server: it echoes pings upper-cased and
// drops some.
func PingServer() Role {
	r := roles.PingServer()
	r.Describe = describePingServer
	return Role{
		Role:      r,
		Reference: func(p *sdk.Plugins) { p.PingServer = sdk.PingServerFunc(refping.Serve) },
		Grader:    judgeping.Server,
	}
}

// PingClient is the UDP Pinger's client: it sends pings and reports
// round trips and the statistics of the standard ping.
func PingClient() Role {
	r := roles.PingClient()
	r.Describe = describePingClient
	r.Teller = func(name string) roles.Teller { return &pingTeller{name: name} }
	r.Plain.Reader = plain.PingClient
	return Role{
		Role:      r,
		Reference: func(p *sdk.Plugins) { p.PingClient = sdk.PingClientFunc(refping.Run) },
		Grader:    judgeping.Client,
		Figure:    newPingFigure,
	}
}

// pingFigure draws a ping client's RTT points and marks its timeouts and
// late replies.
type pingFigure struct {
	c       *lab.Component
	timeout float64            // ms, as set
	sent    map[uint32]float64 // seq -> when sent, ms
}

func newPingFigure(c *lab.Component) figure.Figure {
	f := &pingFigure{c: c, sent: map[uint32]float64{}}
	if cfg, ok := c.Config.(*pb.PingClientConfig); ok && cfg.Timeout != nil {
		f.timeout = figure.Millis(cfg.Timeout.AsDuration())
	}
	return f
}

func (f *pingFigure) Add(b *figure.Builder, ev run.Event) {
	name := f.c.Name
	switch body := ev.Body.(type) {
	case *pb.PingSent:
		s := f.series(b)
		s.Points = append(s.Points, figure.PingPoint{Seq: body.Seq, At: b.Ms(ev.Time), Status: figure.Pending})
		at := ev.Time
		if body.SentAt != nil {
			at = body.SentAt.AsTime()
		}
		f.sent[body.Seq] = b.Ms(at)
	case *pb.PingReply:
		p := f.point(b, body.Seq, ev)
		p.Status, p.RTT = figure.Replied, figure.Millis(body.Rtt.AsDuration())
	case *pb.PingTimeout:
		p := f.point(b, body.Seq, ev)
		p.Status = figure.TimedOut
		at, ok := f.sent[body.Seq]
		if !ok {
			at = b.Ms(ev.Time) - f.series(b).Timeout
		}
		b.Mark(figure.ClientLane, name, figure.Mark{Kind: figure.MarkTimeout, At: at, Until: b.Ms(ev.Time),
			Text: fmt.Sprintf("ping %d: Request timed out", body.Seq), Key: fmt.Sprintf("ping %d", body.Seq)})
	case *pb.PingLate:
		p := f.point(b, body.Seq, ev)
		p.Status, p.RTT = figure.Late, figure.Millis(body.Rtt.AsDuration())
		b.Mark(figure.ClientLane, name, figure.Mark{Kind: figure.MarkLate, At: b.Ms(ev.Time),
			Text: b.Describe(ev), Key: fmt.Sprintf("ping %d", body.Seq)})
	case *pb.PingClientSummary:
		s := f.series(b)
		s.HasStats, s.Sent, s.Received, s.Loss = true, body.Transmitted, body.Received, body.LossPercent
		s.Min, s.Avg = figure.Millis(body.RttMin.AsDuration()), figure.Millis(body.RttAvg.AsDuration())
		s.Max, s.Mdev = figure.Millis(body.RttMax.AsDuration()), figure.Millis(body.RttMdev.AsDuration())
		s.Statistic = b.Describe(ev)
	}
}

func (f *pingFigure) series(b *figure.Builder) *figure.PingSeries {
	s := b.Ping(f.c.Name)
	s.Timeout = f.timeout
	return s
}

// point is the point of ping seq, added if its Sent was not seen.
func (f *pingFigure) point(b *figure.Builder, seq uint32, ev run.Event) *figure.PingPoint {
	s := f.series(b)
	for i := len(s.Points) - 1; i >= 0; i-- {
		if s.Points[i].Seq == seq {
			return &s.Points[i]
		}
	}
	s.Points = append(s.Points, figure.PingPoint{Seq: seq, At: b.Ms(ev.Time)})
	return &s.Points[len(s.Points)-1]
}

func describePingServer(body proto.Message) string {
	switch b := body.(type) {
	case *pb.PingEcho:
		return fmt.Sprintf("echo %s to %s", text.Quote(b.Reply), b.Peer)
	case *pb.PingDrop:
		return fmt.Sprintf("drop %s from %s", text.Quote(b.Request), b.Peer)
	case *pb.PingServerSummary:
		return fmt.Sprintf("received %d, echoed %d, dropped %d", b.Received, b.Echoed, b.Dropped)
	}
	return ""
}

func describePingClient(body proto.Message) string {
	switch b := body.(type) {
	case *pb.PingSent:
		return "sent " + text.Quote(b.Payload)
	case *pb.PingReply:
		return pingReply(b)
	case *pb.PingTimeout:
		return fmt.Sprintf("ping %d: Request timed out", b.Seq)
	case *pb.PingLate:
		return fmt.Sprintf("late reply: seq=%d time=%s ms %s", b.Seq, pingTime(b.Rtt.AsDuration()), text.Quote(b.Payload))
	case *pb.PingClientSummary:
		return pingSummary(b)
	}
	return ""
}

// pingTeller tells a ping client's Summary as ping's statistics block:
// the header naming whom it pinged, the counts with the time the pinging
// took, the RTTs. It notes when the first ping left and who replied.
type pingTeller struct {
	name  string // the component's, for the header without a reply
	start time.Time
	peer  string
}

func (p *pingTeller) Tell(at time.Time, body proto.Message) ([]string, bool) {
	switch b := body.(type) {
	case *pb.PingSent:
		if p.start.IsZero() {
			p.start = at
		}
	case *pb.PingReply:
		if p.peer == "" {
			p.peer = b.Peer
		}
	case *pb.PingClientSummary:
		host := p.peer
		if host == "" {
			host = p.name
		}
		var elapsed time.Duration
		if !p.start.IsZero() {
			elapsed = at.Sub(p.start)
		}
		return pingStatistics(host, b, elapsed), true
	}
	return nil, false
}

// The ping client's lines follow iputils ping(8): a reply line with
// "time=... ms", and a statistics block at the end, with its numbers
// rounded as ping rounds them.

// pingReply: `24 bytes from 127.0.0.1:12000: seq=1 time=0.123 ms "PING 1 ..."`.
func pingReply(b *pb.PingReply) string {
	from := ""
	if b.Peer != "" {
		from = " from " + b.Peer
	}
	return fmt.Sprintf("%d bytes%s: seq=%d time=%s ms %s", len(b.Payload), from, b.Seq, pingTime(b.Rtt.AsDuration()), text.Quote(b.Payload))
}

// pingTime is a round-trip time in milliseconds as ping prints one: three
// decimals below 1 ms, two below 10, one below 100, none above (iputils'
// gather_statistics).
func pingTime(d time.Duration) string {
	us := d.Microseconds()
	switch {
	case us >= 100000-50:
		return strconv.FormatInt((us+500)/1000, 10)
	case us >= 10000-5:
		us += 50
		return fmt.Sprintf("%d.%01d", us/1000, us%1000/100)
	case us >= 1000:
		us += 5
		return fmt.Sprintf("%d.%02d", us/1000, us%1000/10)
	}
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}

// pingLoss is the packet loss as ping prints it: printf("%g") of a float,
// so 33.3333 for a third.
func pingLoss(percent float64) string {
	return strconv.FormatFloat(float64(float32(percent)), 'g', 6, 64)
}

// pingMillis is min/avg/max/mdev's "%ld.%03ld" of microseconds: truncated,
// not rounded.
func pingMillis(d *durationpb.Duration) string {
	us := d.AsDuration().Microseconds()
	sign := ""
	if us < 0 {
		sign, us = "-", -us
	}
	return fmt.Sprintf("%s%d.%03d", sign, us/1000, us%1000)
}

// pingCounts is "10 packets transmitted, 7 received, 30% packet loss",
// with ", time 2012ms" when elapsed is known.
func pingCounts(b *pb.PingClientSummary, elapsed time.Duration) string {
	s := fmt.Sprintf("%d packets transmitted, %d received", b.Transmitted, b.Received)
	if b.Transmitted > 0 {
		s += fmt.Sprintf(", %s%% packet loss", pingLoss(b.LossPercent))
		if elapsed > 0 {
			s += fmt.Sprintf(", time %dms", (elapsed+500*time.Microsecond)/time.Millisecond)
		}
	}
	return s
}

// pingRTTs is "rtt min/avg/max/mdev = 0.053/0.471/1.643/0.526 ms", or ""
// with no reply.
func pingRTTs(b *pb.PingClientSummary) string {
	if b.Received == 0 {
		return ""
	}
	return fmt.Sprintf("rtt min/avg/max/mdev = %s/%s/%s/%s ms", pingMillis(b.RttMin), pingMillis(b.RttAvg), pingMillis(b.RttMax), pingMillis(b.RttMdev))
}

// pingSummary is the statistics on one line, for the final report.
func pingSummary(b *pb.PingClientSummary) string {
	s := pingCounts(b, 0)
	if rtts := pingRTTs(b); rtts != "" {
		s += "; " + rtts
	}
	return s
}

// pingStatistics is ping's closing block: the header naming the host, the
// counts with the time the pinging took, and the RTTs.
func pingStatistics(host string, b *pb.PingClientSummary, elapsed time.Duration) []string {
	lines := []string{fmt.Sprintf("--- %s ping statistics ---", host), pingCounts(b, elapsed)}
	if rtts := pingRTTs(b); rtts != "" {
		lines = append(lines, rtts)
	}
	return lines
}
