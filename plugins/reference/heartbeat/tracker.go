package heartbeat

import (
	"cmp"
	"container/heap"
	"net/netip"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

const (
	// recentSeqs is how far below a client's highest seq the tracker
	// remembers which seqs arrived. It tells duplicates from late arrivals,
	// and a seq further back than this is a restart: no reordering reaches
	// that far.
	recentSeqs = 256
	// maxGaps bounds the pending gaps of one client; past it the oldest gap
	// is declared lost early rather than letting a hostile sender grow memory.
	maxGaps = 256
	// malformedPerSecond bounds Malformed events so a flood of junk cannot
	// swamp the event stream; the rest are only counted.
	malformedPerSecond = 100
	// maxReportedPayload bounds the bytes of a malformed datagram reported.
	maxReportedPayload = 256
	// The defaults of max_clients and summary_clients, for a config that
	// leaves them 0.
	defaultMaxClients     = 1000
	defaultSummaryClients = 100
)

type trackerConfig struct {
	deadAfter        time.Duration
	reorderWindow    time.Duration
	reportHeartbeats bool
	maxClients       int // clients tracked at most; 0 for defaultMaxClients
	summaryClients   int // clients listed in the Summary at most; 0 for defaultSummaryClients
}

// tracker is the server's per-client accounting. It does no I/O and reads no
// clock: every call is given the current time, so tests drive it with a fake
// clock and the server reads the real one once per batch of datagrams.
// It is not safe for concurrent use.
type tracker struct {
	cfg    trackerConfig
	out    *sdk.HeartbeatServerEvents
	byID   map[string]*client
	byAddr map[netip.AddrPort]*client
	// due orders clients by when they next need attention (a gap expiring,
	// silence reaching dead_after), so down detection costs nothing per
	// datagram: a client is looked at about once per dead_after.
	due dueQueue

	// clients counts the clients tracked, in byID and byAddr: at most
	// cfg.maxClients. Heartbeats from others are only counted.
	clients   int
	untracked uint64

	malformed           uint64
	malformedWindow     time.Time // start of the current rate-limit second
	malformedInWindow   int
	malformedSuppressed uint64
}

// gap is a run of missing seqs that may still arrive until deadline.
type gap struct {
	first, last uint64
	deadline    time.Time
}

type client struct {
	name       string
	started    bool   // false until the first heartbeat, and again at a restart
	base       uint64 // first seq of the current run: accounting starts there
	highest    uint64 // highest seq of the current run
	highSent   int64  // send time of highest, Unix ns
	recent     [recentSeqs / 64]uint64
	gaps       []gap // ascending seqs, hence ascending deadlines
	lastSeen   time.Time
	down       bool
	downAt     time.Time
	warnedZero bool // seq 0 was reported once

	dueAt time.Time
	index int // in tracker.due, -1 when not queued

	peer     netip.AddrPort
	peerName string // peer.String(), kept to not format it per datagram

	received, lost, duplicates, reordered, restarts, late uint64
	delayMin, delayMax                                    time.Duration
	delaySum                                              float64 // ns; float so absurd send times cannot overflow it
	timeDown                                              time.Duration
}

func newTracker(cfg trackerConfig, out *sdk.HeartbeatServerEvents) *tracker {
	if cfg.maxClients <= 0 {
		cfg.maxClients = defaultMaxClients
	}
	if cfg.summaryClients <= 0 {
		cfg.summaryClients = defaultSummaryClients
	}
	return &tracker{
		cfg:    cfg,
		out:    out,
		byID:   make(map[string]*client),
		byAddr: make(map[netip.AddrPort]*client),
	}
}

// handle accounts for one datagram received at now from peer.
func (t *tracker) handle(now time.Time, peer netip.AddrPort, payload []byte) {
	d, reason := parseDatagram(payload)
	if reason != "" {
		t.reportMalformed(now, peer, payload, reason)
		return
	}
	t.observe(now, peer, d)
}

// lookup finds the client of a heartbeat, or starts tracking it; nil when
// it is new and max_clients are tracked already.
func (t *tracker) lookup(peer netip.AddrPort, id []byte) *client {
	var c *client
	if id != nil {
		if c = t.byID[string(id)]; c == nil {
			if c = t.newClient(string(id)); c == nil {
				return nil
			}
			t.byID[c.name] = c
		}
	} else if c = t.byAddr[peer]; c == nil {
		if c = t.newClient(peer.String()); c == nil {
			return nil
		}
		t.byAddr[peer] = c
	}
	if c.peer != peer {
		c.peer, c.peerName = peer, peer.String()
	}
	return c
}

func (t *tracker) newClient(name string) *client {
	if t.clients == t.cfg.maxClients {
		return nil
	}
	t.clients++
	return &client{name: name, index: -1}
}

// observe applies the accounting rules to one heartbeat.
func (t *tracker) observe(now time.Time, peer netip.AddrPort, d datagram) {
	c := t.lookup(peer, d.id)
	if c == nil {
		if t.untracked == 0 {
			t.out.Warnf("max_clients (%d) are tracked: heartbeats from other clients are only counted, from %s on", t.cfg.maxClients, peer)
		}
		t.untracked++
		return
	}
	if d.seq == 0 && !c.warnedZero {
		c.warnedZero = true
		t.out.Warnf("client %s: seq 0; heartbeats count from 1", c.name)
	}
	if c.down {
		c.down = false
		c.timeDown += now.Sub(c.downAt)
		t.out.Up(c.name, d.seq, now.Sub(c.lastSeen))
	}
	c.lastSeen = now
	delay := time.Duration(now.UnixNano() - d.sentNs)
	switch {
	case !c.started || d.seq > c.highest:
		t.advance(now, c, d)
		t.count(c, d, delay)
	case d.seq < c.highest && d.sentNs > c.highSent || c.highest-d.seq >= recentSeqs:
		// The seq went back but the send time went forward (or it went
		// back further than any reordering): the client started again.
		previous := c.highest
		t.expireGaps(c, now, true)
		c.restarts++
		t.out.Restart(c.name, d.seq, previous)
		c.started = false
		t.advance(now, c, d)
		t.count(c, d, delay)
	case c.fillGap(d.seq):
		c.mark(d.seq)
		c.reordered++
		t.count(c, d, delay)
		t.out.Reordered(c.name, d.seq, c.highest)
	case c.marked(d.seq):
		c.duplicates++
		t.out.Duplicate(c.name, d.seq)
	case d.seq < c.base:
		c.mark(d.seq)
		t.out.Warnf("client %s: seq %d is from before seq %d, where counting started; it is not counted", c.name, d.seq, c.base)
	default:
		// Its gap expired: it was reported Lost and stays lost, so that the
		// Lost events and the totals agree.
		c.mark(d.seq)
		c.late++
		t.out.Warnf("client %s: seq %d arrived %v after it was sent, past the reorder window; it stays counted as lost",
			c.name, d.seq, delay)
	}
	t.expireGaps(c, now, false)
	t.schedule(c)
}

// advance takes d.seq as the client's new highest seq; seqs skipped on the
// way become a pending gap. The first seq of a run (the first heard, or the
// one after a restart) starts the accounting: the seqs before it were sent
// before the server was listening or belong to the previous run.
func (t *tracker) advance(now time.Time, c *client, d datagram) {
	from := c.highest + 1
	switch {
	case !c.started:
		c.started, c.base, from = true, d.seq, d.seq
		c.recent = [recentSeqs / 64]uint64{}
	case d.seq-c.highest >= recentSeqs:
		c.recent = [recentSeqs / 64]uint64{}
	default:
		for s := c.highest + 1; s < d.seq; s++ {
			c.unmark(s)
		}
	}
	if d.seq > from {
		if len(c.gaps) == maxGaps {
			t.lose(c, c.gaps[0], now)
			c.gaps = c.gaps[1:]
		}
		c.gaps = append(c.gaps, gap{first: from, last: d.seq - 1, deadline: now.Add(t.cfg.reorderWindow)})
	}
	c.mark(d.seq)
	c.highest, c.highSent = d.seq, d.sentNs
}

// count records a heartbeat that arrived for the first time.
func (t *tracker) count(c *client, d datagram, delay time.Duration) {
	if c.received == 0 || delay < c.delayMin {
		c.delayMin = delay
	}
	if c.received == 0 || delay > c.delayMax {
		c.delayMax = delay
	}
	c.received++
	c.delaySum += float64(delay)
	if t.cfg.reportHeartbeats {
		t.out.Heartbeat(c.name, c.peerName, d.seq, time.Unix(0, d.sentNs), delay)
	}
}

func (c *client) mark(seq uint64)   { c.recent[seq%recentSeqs/64] |= 1 << (seq % 64) }
func (c *client) unmark(seq uint64) { c.recent[seq%recentSeqs/64] &^= 1 << (seq % 64) }
func (c *client) marked(seq uint64) bool {
	return c.highest-seq < recentSeqs && c.recent[seq%recentSeqs/64]&(1<<(seq%64)) != 0
}

// fillGap removes seq from the pending gaps, reporting whether it was there.
func (c *client) fillGap(seq uint64) bool {
	for i, g := range c.gaps {
		if seq < g.first || seq > g.last {
			continue
		}
		switch {
		case g.first == g.last:
			c.gaps = slices.Delete(c.gaps, i, i+1)
		case seq == g.first:
			c.gaps[i].first++
		case seq == g.last:
			c.gaps[i].last--
		default:
			c.gaps = slices.Insert(c.gaps, i+1, gap{first: seq + 1, last: g.last, deadline: g.deadline})
			c.gaps[i].last = seq - 1
		}
		return true
	}
	return false
}

// expireGaps reports as Lost the gaps whose deadline is not after now, or
// all of them when all is set.
func (t *tracker) expireGaps(c *client, now time.Time, all bool) {
	for len(c.gaps) > 0 && (all || !c.gaps[0].deadline.After(now)) {
		at := c.gaps[0].deadline
		if all {
			at = now
		}
		t.lose(c, c.gaps[0], at)
		c.gaps = c.gaps[1:]
	}
	if len(c.gaps) == 0 {
		c.gaps = nil // let the backing array go once slicing has walked it
	}
}

func (t *tracker) lose(c *client, g gap, at time.Time) {
	c.lost += g.last - g.first + 1
	// Dated when the window ran out, which a late sweep may pass: Lost
	// has no time argument, since a server without a reorder window
	// reports a gap the moment it sees it.
	t.out.Send(&pb.HeartbeatServerEvent{Time: timestamppb.New(at), Event: &pb.HeartbeatServerEvent_Lost{Lost: &pb.HeartbeatLost{
		Client: c.name, FirstSeq: g.first, LastSeq: g.last,
	}}})
}

// sweep reports what has come due by now: expired gaps and clients silent
// for dead_after. It costs only the clients that are due.
func (t *tracker) sweep(now time.Time) {
	for len(t.due) > 0 && !t.due[0].dueAt.After(now) {
		c := t.due[0]
		t.expireGaps(c, now, false)
		if downAt := c.lastSeen.Add(t.cfg.deadAfter); !c.down && !now.Before(downAt) {
			c.down, c.downAt = true, downAt
			t.out.Down(c.name, c.highest, c.lastSeen, downAt)
		}
		if next, ok := t.nextCheck(c); ok {
			c.dueAt = next
			heap.Fix(&t.due, 0)
		} else {
			heap.Pop(&t.due)
		}
	}
}

// nextDue is when sweep next has work, zero if never.
func (t *tracker) nextDue() time.Time {
	if len(t.due) == 0 {
		return time.Time{}
	}
	return t.due[0].dueAt
}

// nextCheck is when c next needs a look: its oldest gap expiring or its
// silence reaching dead_after.
func (t *tracker) nextCheck(c *client) (time.Time, bool) {
	var next time.Time
	if len(c.gaps) > 0 {
		next = c.gaps[0].deadline
	}
	if !c.down {
		if at := c.lastSeen.Add(t.cfg.deadAfter); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next, !next.IsZero()
}

// schedule queues c for its next check unless it is queued for an earlier
// one; a later-than-needed entry is fine, sweep looks again and requeues.
func (t *tracker) schedule(c *client) {
	next, ok := t.nextCheck(c)
	switch {
	case !ok:
	case c.index < 0:
		c.dueAt = next
		heap.Push(&t.due, c)
	case next.Before(c.dueAt):
		c.dueAt = next
		heap.Fix(&t.due, c.index)
	}
}

func (t *tracker) reportMalformed(now time.Time, peer netip.AddrPort, payload []byte, reason string) {
	t.malformed++
	if now.Sub(t.malformedWindow) >= time.Second {
		t.reportSuppressed()
		t.malformedWindow, t.malformedInWindow = now, 0
	}
	if t.malformedInWindow == malformedPerSecond {
		t.malformedSuppressed++
		return
	}
	t.malformedInWindow++
	// Cloned: payload is the receive buffer, read into again.
	t.out.Malformed(peer.String(), slices.Clone(payload[:min(len(payload), maxReportedPayload)]), reason)
}

func (t *tracker) reportSuppressed() {
	if t.malformedSuppressed == 0 {
		return
	}
	t.out.Warnf("%d more malformed datagrams counted but not reported one by one", t.malformedSuppressed)
	t.malformedSuppressed = 0
}

// finish reports what is due by now, the pending gaps as Lost and the
// Summary, last.
func (t *tracker) finish(now time.Time) {
	t.sweep(now)
	t.reportSuppressed()
	clients := make([]*client, 0, len(t.byID)+len(t.byAddr))
	for _, c := range t.byID {
		clients = append(clients, c)
	}
	for _, c := range t.byAddr {
		clients = append(clients, c)
	}
	slices.SortFunc(clients, func(a, b *client) int { return cmp.Compare(a.name, b.name) })
	for _, c := range clients {
		t.expireGaps(c, now, true)
	}
	sum := &pb.HeartbeatServerSummary{
		Malformed:           t.malformed,
		ClientsTracked:      uint64(len(clients)),
		UntrackedHeartbeats: t.untracked,
	}
	listed := clients
	if len(clients) > t.cfg.summaryClients {
		// The busiest clients, listed by name; the others added up.
		listed = slices.Clone(clients)
		slices.SortStableFunc(listed, func(a, b *client) int { return cmp.Compare(b.received+b.lost, a.received+a.lost) })
		var others client
		for _, c := range listed[t.cfg.summaryClients:] {
			others.add(c, now)
		}
		sum.UnlistedClients = uint64(len(listed) - t.cfg.summaryClients)
		sum.Unlisted = others.totals(now)
		sum.Unlisted.Client = ""
		listed = listed[:t.cfg.summaryClients]
		slices.SortFunc(listed, func(a, b *client) int { return cmp.Compare(a.name, b.name) })
	}
	for _, c := range listed {
		sum.Clients = append(sum.Clients, c.totals(now))
	}
	t.out.Summary(sum)
}

// add sums c's totals into sum, a client that stands for several: counts
// and time down add up, the delays span them all, down if any is.
func (sum *client) add(c *client, now time.Time) {
	if c.received > 0 {
		if sum.received == 0 || c.delayMin < sum.delayMin {
			sum.delayMin = c.delayMin
		}
		if sum.received == 0 || c.delayMax > sum.delayMax {
			sum.delayMax = c.delayMax
		}
	}
	sum.received += c.received
	sum.lost += c.lost
	sum.duplicates += c.duplicates
	sum.reordered += c.reordered
	sum.restarts += c.restarts
	sum.late += c.late
	sum.delaySum += c.delaySum
	sum.timeDown += c.timeDown
	if c.down {
		// totals adds now minus downAt for a client still down: nothing more.
		sum.timeDown += now.Sub(c.downAt)
		sum.down, sum.downAt = true, now
	}
}

func (c *client) totals(now time.Time) *pb.HeartbeatClientTotals {
	tot := &pb.HeartbeatClientTotals{
		Client: c.name, Received: c.received, Lost: c.lost,
		Duplicates: c.duplicates, Reordered: c.reordered, Restarts: c.restarts,
		Down: c.down, Late: c.late,
	}
	if n := c.received + c.lost; n > 0 {
		tot.LossPercent = 100 * float64(c.lost) / float64(n)
	}
	if c.received > 0 {
		tot.DelayMin = durationpb.New(c.delayMin)
		tot.DelayAvg = durationpb.New(time.Duration(c.delaySum / float64(c.received)))
		tot.DelayMax = durationpb.New(c.delayMax)
	}
	down := c.timeDown
	if c.down {
		down += now.Sub(c.downAt)
	}
	tot.TimeDown = durationpb.New(down)
	return tot
}

// dueQueue is a min-heap of clients by dueAt.
type dueQueue []*client

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].dueAt.Before(q[j].dueAt) }
func (q dueQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *dueQueue) Push(x any) {
	c := x.(*client)
	c.index = len(*q)
	*q = append(*q, c)
}
func (q *dueQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	old[len(old)-1] = nil
	c.index = -1
	*q = old[:len(old)-1]
	return c
}
