// Command heartbeat-server is the lab sheet's UDPPingerServer.py turned into
// the UDP Heartbeat server of optional exercise 2, the way a student would
// write it in Go: a loop over received datagrams, a map of clients, and a
// time.Ticker that looks ten times a second for lost heartbeats and clients
// gone silent. Served as a socklab plugin; it follows the rules written in
// proto/socklab/v1/heartbeat.proto.
package main

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// A gap is a run of seqs that did not come (yet). They may still arrive,
// reordered, until deadline; after it they are lost.
type gap struct {
	first, last uint64
	deadline    time.Time
}

// clientInfo is what the server knows about one client.
type clientInfo struct {
	name       string
	first      uint64  // first seq heard: counting starts there
	highest    uint64  // highest seq so far
	highestAt  float64 // the send time written in the highest seq
	got        map[uint64]bool
	gaps       []gap
	lastSeen   time.Time
	down       bool
	downSince  time.Time
	timeDown   time.Duration
	totals     pb.HeartbeatClientTotals
	delaySum   time.Duration
	delayCount int
}

type server struct {
	cfg       *pb.HeartbeatServerConfig
	out       *sdk.HeartbeatServerEvents
	clients   map[string]*clientInfo
	malformed uint64
}

// packet is one datagram as the reading goroutine got it.
type packet struct {
	data []byte
	from net.Addr
	at   time.Time
}

func run(ctx context.Context, cfg *pb.HeartbeatServerConfig, out *sdk.HeartbeatServerEvents) error {
	serverSocket, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return err
	}
	defer serverSocket.Close()
	out.Ready(serverSocket.LocalAddr().String())

	// Like the sheet's while True: recvfrom loop, in its own goroutine so
	// the main loop can also listen to the ticker.
	packets := make(chan packet, 100)
	var readErr error
	go func() {
		defer close(packets)
		for {
			message := make([]byte, 4096) // bigger than the 2048 allowed, to notice longer ones
			n, address, err := serverSocket.ReadFrom(message)
			if err != nil {
				readErr = err
				return
			}
			packets <- packet{message[:n], address, time.Now()}
		}
	}()

	s := &server{cfg: cfg, out: out, clients: map[string]*clientInfo{}}
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	stopped := ctx.Done()
loop:
	for {
		select {
		case p, ok := <-packets:
			if !ok {
				break loop // the reader has stopped
			}
			s.handle(p)
		case now := <-ticker.C:
			s.check(now)
		case <-stopped:
			// The host stopped us: read what is already waiting, for a
			// moment, then finish.
			serverSocket.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			stopped = nil
		}
	}
	if ctx.Err() == nil {
		return readErr // the socket failed before we were stopped
	}

	now := time.Now()
	s.check(now)
	names := make([]string, 0, len(s.clients))
	for name := range s.clients {
		names = append(names, name)
	}
	sort.Strings(names)
	summary := &pb.HeartbeatServerSummary{Malformed: s.malformed}
	for _, name := range names {
		c := s.clients[name]
		s.loseGaps(c, now, true)
		summary.Clients = append(summary.Clients, c.summary(now))
	}
	out.Send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Summary{Summary: summary}})
	return nil
}

// handle applies the rules of heartbeat.proto to one datagram.
func (s *server) handle(p packet) {
	seq, sentAt, id, problem := parse(p.data)
	if problem != "" {
		s.malformed++
		payload := p.data
		if len(payload) > 256 {
			payload = payload[:256]
		}
		s.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Malformed{Malformed: &pb.HeartbeatMalformed{
			Peer: p.from.String(), Payload: payload, Reason: problem}}})
		return
	}

	// Clients with an id are known by it, the others by their address.
	key, name := "addr "+p.from.String(), p.from.String()
	if id != "" {
		key, name = "id "+id, id
	}
	c := s.clients[key]
	if c == nil {
		c = &clientInfo{name: name}
		c.totals.Client = name
		s.clients[key] = c
	}
	if c.down {
		c.down = false
		c.timeDown += p.at.Sub(c.downSince)
		s.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Up{Up: &pb.ClientUp{
			Client: c.name, Seq: seq, SilentFor: durationpb.New(p.at.Sub(c.lastSeen))}}})
	}
	c.lastSeen = p.at
	delay := p.at.Sub(time.Unix(0, int64(sentAt*1e9)))

	switch {
	case c.got == nil || seq > c.highest:
		s.inOrder(c, seq, sentAt, delay, p)
	case (seq < c.highest && sentAt > c.highestAt) || c.highest-seq >= 256:
		// Counting started again (the send time went forward while the seq
		// went back), or the seq went back further than any reordering.
		previous := c.highest
		s.loseGaps(c, p.at, true)
		c.totals.Restarts++
		s.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Restart{Restart: &pb.HeartbeatRestart{
			Client: c.name, Seq: seq, PreviousSeq: previous}}})
		c.got = nil
		s.inOrder(c, seq, sentAt, delay, p)
	case c.fillGap(seq):
		c.got[seq] = true
		c.totals.Reordered++
		s.received(c, seq, sentAt, delay, p)
		s.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Reordered{Reordered: &pb.HeartbeatReordered{
			Client: c.name, Seq: seq, AfterSeq: c.highest}}})
	case c.got[seq]:
		c.totals.Duplicates++
		s.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Duplicate{Duplicate: &pb.HeartbeatDuplicate{
			Client: c.name, Seq: seq}}})
	case seq < c.first:
		c.got[seq] = true
		s.out.Warnf("client %s: seq %d was sent before seq %d, the first I heard; not counted", c.name, seq, c.first)
	default:
		// Too late: it was already reported lost, and stays lost.
		c.got[seq] = true
		c.totals.Late++
		s.out.Warnf("client %s: seq %d came %v after it was sent, after it was reported lost", c.name, seq, delay)
	}
	s.loseGaps(c, p.at, false)
}

// inOrder takes seq as the new highest seq of c (or its first one); the
// seqs skipped on the way may still come until reorder_window has passed.
func (s *server) inOrder(c *clientInfo, seq uint64, sentAt float64, delay time.Duration, p packet) {
	if c.got == nil {
		c.got = map[uint64]bool{}
		c.first = seq
	} else if seq > c.highest+1 {
		c.gaps = append(c.gaps, gap{c.highest + 1, seq - 1, p.at.Add(s.cfg.ReorderWindow.AsDuration())})
	}
	c.got[seq] = true
	c.highest, c.highestAt = seq, sentAt
	s.received(c, seq, sentAt, delay, p)
}

// received counts a heartbeat that arrived for the first time.
func (s *server) received(c *clientInfo, seq uint64, sentAt float64, delay time.Duration, p packet) {
	if c.delayCount == 0 || delay < c.totals.DelayMin.AsDuration() {
		c.totals.DelayMin = durationpb.New(delay)
	}
	if c.delayCount == 0 || delay > c.totals.DelayMax.AsDuration() {
		c.totals.DelayMax = durationpb.New(delay)
	}
	c.delaySum += delay
	c.delayCount++
	c.totals.Received++
	if s.cfg.ReportHeartbeats {
		s.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Heartbeat{Heartbeat: &pb.Heartbeat{
			Client: c.name, Peer: p.from.String(), Seq: seq,
			SentAt: timestamppb.New(time.Unix(0, int64(sentAt*1e9))), Delay: durationpb.New(delay)}}})
	}
}

// fillGap takes seq out of the gap it is in, if any.
func (c *clientInfo) fillGap(seq uint64) bool {
	for i, g := range c.gaps {
		if seq < g.first || seq > g.last {
			continue
		}
		c.gaps = append(c.gaps[:i], c.gaps[i+1:]...)
		if g.first < seq {
			c.gaps = append(c.gaps, gap{g.first, seq - 1, g.deadline})
		}
		if seq < g.last {
			c.gaps = append(c.gaps, gap{seq + 1, g.last, g.deadline})
		}
		return true
	}
	return false
}

// loseGaps reports the gaps of c whose time is up at now (all of them when
// all is set) as lost, lowest seqs first.
func (s *server) loseGaps(c *clientInfo, now time.Time, all bool) {
	sort.Slice(c.gaps, func(i, j int) bool { return c.gaps[i].first < c.gaps[j].first })
	var keep []gap
	for _, g := range c.gaps {
		if !all && now.Before(g.deadline) {
			keep = append(keep, g)
			continue
		}
		at := g.deadline
		if all {
			at = now
		}
		c.totals.Lost += g.last - g.first + 1
		s.send(&pb.HeartbeatServerEvent{Time: timestamppb.New(at), Event: &pb.HeartbeatServerEvent_Lost{
			Lost: &pb.HeartbeatLost{Client: c.name, FirstSeq: g.first, LastSeq: g.last}}})
	}
	c.gaps = keep
}

// check runs on every tick: lost heartbeats, and clients gone silent.
func (s *server) check(now time.Time) {
	deadAfter := s.cfg.DeadAfter.AsDuration()
	for _, c := range s.clients {
		s.loseGaps(c, now, false)
		if !c.down && now.Sub(c.lastSeen) >= deadAfter {
			c.down = true
			// Down from the moment dead_after ran out, not from this tick.
			c.downSince = c.lastSeen.Add(deadAfter)
			fmt.Printf("%s has stopped: no heartbeat for %v\n", c.name, deadAfter)
			s.send(&pb.HeartbeatServerEvent{Time: timestamppb.New(c.downSince), Event: &pb.HeartbeatServerEvent_Down{Down: &pb.ClientDown{
				Client: c.name, LastSeq: c.highest, LastSeen: timestamppb.New(c.lastSeen)}}})
		}
	}
}

func (c *clientInfo) summary(now time.Time) *pb.HeartbeatClientTotals {
	t := &c.totals
	if n := t.Received + t.Lost; n > 0 {
		t.LossPercent = 100 * float64(t.Lost) / float64(n)
	}
	if c.delayCount > 0 {
		t.DelayAvg = durationpb.New(c.delaySum / time.Duration(c.delayCount))
	}
	t.Down = c.down
	down := c.timeDown
	if c.down {
		down += now.Sub(c.downSince)
	}
	t.TimeDown = durationpb.New(down)
	return t
}

func (s *server) send(ev *pb.HeartbeatServerEvent) { s.out.Send(ev) }

// A time is Unix seconds with an optional fraction, not a date.
var unixTime = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// parse reads "Heartbeat <seq> <time> [<id>]" or "Ping <seq> <time>".
// It returns a problem when the datagram is not a heartbeat.
func parse(data []byte) (seq uint64, sentAt float64, id string, problem string) {
	if len(data) > 2048 {
		return 0, 0, "", "longer than 2048 bytes"
	}
	for _, b := range data {
		if (b < ' ' || b > '~') && b != '\t' && b != '\r' && b != '\n' {
			return 0, 0, "", "not printable text"
		}
	}
	fields := strings.Fields(string(data))
	switch {
	case len(fields) == 0:
		return 0, 0, "", "empty"
	case !strings.EqualFold(fields[0], "Heartbeat") && !strings.EqualFold(fields[0], "Ping"):
		return 0, 0, "", "not a heartbeat: " + strconv.Quote(fields[0])
	case len(fields) < 3:
		return 0, 0, "", "needs a sequence number and a time"
	case len(fields) > 4 || (len(fields) == 4 && strings.EqualFold(fields[0], "Ping")):
		return 0, 0, "", "too many fields"
	case len(fields) == 4 && len(fields[3]) > 64:
		return 0, 0, "", "client id longer than 64 bytes"
	}
	seq, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return 0, 0, "", "bad sequence number " + strconv.Quote(fields[1])
	}
	if !unixTime.MatchString(fields[2]) {
		return 0, 0, "", "bad time " + strconv.Quote(fields[2])
	}
	// Nanoseconds since 1970 in an int64 end in 2262.
	whole, _, _ := strings.Cut(fields[2], ".")
	if secs, err := strconv.ParseInt(whole, 10, 64); err != nil || secs >= 9223372036 {
		return 0, 0, "", "time too far in the future"
	}
	sentAt, _ = strconv.ParseFloat(fields[2], 64)
	if len(fields) == 4 {
		id = fields[3]
	}
	return seq, sentAt, id, ""
}

func main() {
	sdk.ServeHeartbeatServer(sdk.HeartbeatServerFunc(run))
}
