package labs

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	judgeheartbeat "github.com/socklab/socklab/host/check/judge/heartbeat"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/page/figure"
	"github.com/socklab/socklab/host/plain"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/host/text"
	refheartbeat "github.com/socklab/socklab/plugins/reference/heartbeat"
	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// HeartbeatServer is the UDP Heartbeat's monitor: it reports lost
// heartbeats and clients that went down or came back.
func HeartbeatServer() Role {
	r := roles.HeartbeatServer()
	r.Describe = describeHeartbeatServer
	r.Plain.Reader = plain.HeartbeatServer
	return Role{
		Role:      r,
		Reference: func(p *sdk.Plugins) { p.HeartbeatServer = sdk.HeartbeatServerFunc(refheartbeat.Serve) },
		Grader:    judgeheartbeat.Server,
		Figure:    func(c *lab.Component) figure.Figure { return heartbeatFigure{server: c.Name} },
	}
}

// heartbeatFigure draws what a heartbeat server heard of each client: its
// beats, lost runs and DOWN intervals, and marks them on the server's lane.
type heartbeatFigure struct{ server string }

func (f heartbeatFigure) Add(b *figure.Builder, ev run.Event) {
	at := b.Ms(ev.Time)
	switch body := ev.Body.(type) {
	case *pb.Heartbeat:
		hc := b.Heartbeat(f.server, body.Client)
		hc.Beats = append(hc.Beats, figure.Beat{Seq: body.Seq, At: at, Delay: figure.Millis(body.Delay.AsDuration())})
	case *pb.HeartbeatLost:
		hc := b.Heartbeat(f.server, body.Client)
		hc.Lost = append(hc.Lost, figure.LostRun{First: body.FirstSeq, Last: body.LastSeq, At: at})
		b.Mark(figure.ServerLane, f.server, figure.Mark{Kind: figure.MarkLost, At: at, Text: b.Describe(ev),
			Key: fmt.Sprintf("heartbeat %d", body.FirstSeq)})
	case *pb.ClientDown:
		hc := b.Heartbeat(f.server, body.Client)
		hc.Down = append(hc.Down, figure.Interval{From: at, Open: true})
		b.Mark(figure.ServerLane, f.server, figure.Mark{Kind: figure.MarkDown, At: at, Text: body.Client + " is DOWN"})
	case *pb.ClientUp:
		hc := b.Heartbeat(f.server, body.Client)
		if n := len(hc.Down); n > 0 && hc.Down[n-1].Open {
			hc.Down[n-1].To, hc.Down[n-1].Open = at, false
		}
		b.Mark(figure.ServerLane, f.server, figure.Mark{Kind: figure.MarkUp, At: at, Text: body.Client + " is UP"})
	}
}

// HeartbeatClient is the UDP Heartbeat's client: it beats at an interval.
func HeartbeatClient() Role {
	r := roles.HeartbeatClient()
	r.Describe = describeHeartbeatClient
	return Role{
		Role:      r,
		Reference: func(p *sdk.Plugins) { p.HeartbeatClient = sdk.HeartbeatClientFunc(refheartbeat.Beat) },
		Grader:    judgeheartbeat.Client,
	}
}

func describeHeartbeatClient(body proto.Message) string {
	switch b := body.(type) {
	case *pb.HeartbeatSent:
		return "sent " + text.Quote(b.Payload)
	case *pb.HeartbeatPaused:
		return fmt.Sprintf("paused: silent for %s s", shortSeconds(b.PauseFor))
	case *pb.HeartbeatResumed:
		return fmt.Sprintf("resumed: next heartbeat %d", b.NextSeq)
	case *pb.HeartbeatClientSummary:
		return fmt.Sprintf("%d heartbeats sent in %s s", b.Sent, shortSeconds(b.Duration))
	}
	return ""
}

func describeHeartbeatServer(body proto.Message) string {
	switch b := body.(type) {
	case *pb.Heartbeat:
		return fmt.Sprintf("heartbeat %d from %s, one-way delay %s s", b.Seq, b.Client, seconds(b.Delay))
	case *pb.HeartbeatLost:
		return fmt.Sprintf("lost %s from %s", seqRun(b.FirstSeq, b.LastSeq), b.Client)
	case *pb.HeartbeatDuplicate:
		return fmt.Sprintf("duplicate %d from %s", b.Seq, b.Client)
	case *pb.HeartbeatReordered:
		return fmt.Sprintf("heartbeat %d from %s came after %d: reordered, not lost", b.Seq, b.Client, b.AfterSeq)
	case *pb.HeartbeatRestart:
		return fmt.Sprintf("%s restarted: seq %d after %d", b.Client, b.Seq, b.PreviousSeq)
	case *pb.ClientDown:
		// The line's own time is when it went down; dead_after is the gap
		// between the two.
		return fmt.Sprintf("%s is DOWN: silent since seq %d, heard at %s", b.Client, b.LastSeq,
			b.LastSeen.AsTime().Local().Format("15:04:05.000"))
	case *pb.ClientUp:
		return fmt.Sprintf("%s is UP again at seq %d after %s s of silence", b.Client, b.Seq, shortSeconds(b.SilentFor))
	case *pb.HeartbeatMalformed:
		return fmt.Sprintf("malformed datagram from %s: %s (%s)", b.Peer, text.Quote(b.Payload), b.Reason)
	case *pb.HeartbeatServerSummary:
		return heartbeatSummary(b)
	}
	return ""
}

// heartbeatSummary is one line: each client's totals, then the malformed
// datagrams; a line because the final report shows a summary as one.
func heartbeatSummary(b *pb.HeartbeatServerSummary) string {
	var parts []string
	for _, c := range b.Clients {
		s := fmt.Sprintf("%s: %d received, %d lost (%s%%)", c.Client, c.Received, c.Lost,
			strconv.FormatFloat(math.Round(c.LossPercent*10)/10, 'f', -1, 64))
		for _, n := range []struct {
			count     uint64
			one, many string
		}{{c.Late, "late", "late"}, {c.Duplicates, "duplicate", "duplicates"},
			{c.Reordered, "reordered", "reordered"}, {c.Restarts, "restart", "restarts"}} {
			switch {
			case n.count == 1:
				s += ", 1 " + n.one
			case n.count > 1:
				s += fmt.Sprintf(", %d %s", n.count, n.many)
			}
		}
		if c.Received > 0 {
			s += fmt.Sprintf(", delay min/avg/max = %s/%s/%s ms", millis(c.DelayMin), millis(c.DelayAvg), millis(c.DelayMax))
		}
		if c.TimeDown.AsDuration() > 0 {
			s += fmt.Sprintf(", down %s s", shortSeconds(c.TimeDown))
		}
		if c.Down {
			s += ", DOWN at the end"
		}
		parts = append(parts, s)
	}
	if n, u := b.UnlistedClients, b.Unlisted; n > 0 {
		parts = append(parts, fmt.Sprintf("%d more clients: %d received, %d lost (%s%%)", n, u.GetReceived(), u.GetLost(),
			strconv.FormatFloat(math.Round(u.GetLossPercent()*10)/10, 'f', -1, 64)))
	}
	if b.UntrackedHeartbeats > 0 {
		parts = append(parts, fmt.Sprintf("%d heartbeats from clients past max_clients (%d tracked)", b.UntrackedHeartbeats, b.ClientsTracked))
	}
	if len(parts) == 0 {
		parts = append(parts, "no heartbeats")
	}
	if b.Malformed > 0 {
		parts = append(parts, fmt.Sprintf("%d malformed", b.Malformed))
	}
	return strings.Join(parts, "; ")
}

// seqRun shows first..last as "4-6", or "4" when they are one seq.
func seqRun(first, last uint64) string {
	if first == last {
		return strconv.FormatUint(first, 10)
	}
	return fmt.Sprintf("%d-%d", first, last)
}
