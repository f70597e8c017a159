package heartbeat

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// t0 is where the fake clock starts; datagrams in these tests write their
// send time as an offset from it.
var t0 = time.Unix(1_700_000_000, 0)

const peerA = "127.0.0.1:4000"

// step is one thing that happens to the tracker at fake time at: a datagram
// from peer, or (with no data) just the clock reaching at.
type step struct {
	at   time.Duration
	peer string
	data string
}

// hb is heartbeat seq of client id, sent at fake time sent and received at at.
func hb(at time.Duration, id string, seq uint64, sent time.Duration) step {
	return step{at: at, peer: peerA, data: string(AppendHeartbeat(nil, seq, t0.Add(sent), id))}
}

// tick lets the fake clock reach at with no datagram.
func tick(at time.Duration) step { return step{at: at} }

// run feeds steps to a tracker as the server would (a sweep after each
// datagram), finishes at end, and returns the events described as text
// and the summary's totals.
func run(t *testing.T, cfg trackerConfig, steps []step, end time.Duration) (events, totals []string) {
	t.Helper()
	var got []*pb.HeartbeatServerEvent
	tr := newTracker(cfg, sdk.NewHeartbeatServerEvents(func(e *pb.HeartbeatServerEvent) { got = append(got, e) }))
	for _, s := range steps {
		now := t0.Add(s.at)
		if s.peer != "" {
			tr.handle(now, netip.MustParseAddrPort(s.peer), []byte(s.data))
		}
		tr.sweep(now)
	}
	tr.finish(t0.Add(end))
	if len(got) == 0 || got[len(got)-1].GetSummary() == nil {
		t.Fatalf("last event is not the summary: %v", got)
	}
	for _, e := range got {
		events = append(events, describe(e))
	}
	for _, c := range got[len(got)-1].GetSummary().GetClients() {
		totals = append(totals, describeTotals(c))
	}
	return events, totals
}

func describe(e *pb.HeartbeatServerEvent) string {
	at := ""
	if e.GetTime() != nil {
		at = " @" + e.GetTime().AsTime().Sub(t0).String()
	}
	switch {
	case e.GetHeartbeat() != nil:
		h := e.GetHeartbeat()
		return fmt.Sprintf("hb %s %d delay=%v", h.GetClient(), h.GetSeq(), h.GetDelay().AsDuration())
	case e.GetLost() != nil:
		l := e.GetLost()
		return fmt.Sprintf("lost %s %d-%d%s", l.GetClient(), l.GetFirstSeq(), l.GetLastSeq(), at)
	case e.GetDuplicate() != nil:
		return fmt.Sprintf("dup %s %d", e.GetDuplicate().GetClient(), e.GetDuplicate().GetSeq())
	case e.GetReordered() != nil:
		r := e.GetReordered()
		return fmt.Sprintf("reordered %s %d after %d", r.GetClient(), r.GetSeq(), r.GetAfterSeq())
	case e.GetRestart() != nil:
		r := e.GetRestart()
		return fmt.Sprintf("restart %s %d after %d", r.GetClient(), r.GetSeq(), r.GetPreviousSeq())
	case e.GetDown() != nil:
		d := e.GetDown()
		return fmt.Sprintf("down %s last=%d seen=%v%s", d.GetClient(), d.GetLastSeq(), d.GetLastSeen().AsTime().Sub(t0), at)
	case e.GetUp() != nil:
		u := e.GetUp()
		return fmt.Sprintf("up %s %d silent=%v", u.GetClient(), u.GetSeq(), u.GetSilentFor().AsDuration())
	case e.GetMalformed() != nil:
		m := e.GetMalformed()
		return fmt.Sprintf("malformed %s %q: %s", m.GetPeer(), m.GetPayload(), m.GetReason())
	case e.GetLog() != nil:
		return "log " + e.GetLog().GetMessage()
	case e.GetSummary() != nil:
		return fmt.Sprintf("summary malformed=%d", e.GetSummary().GetMalformed())
	}
	return fmt.Sprintf("unexpected %v", e)
}

func describeTotals(c *pb.HeartbeatClientTotals) string {
	delay := "-"
	if c.GetDelayAvg() != nil {
		delay = fmt.Sprintf("%v/%v/%v", c.GetDelayMin().AsDuration(), c.GetDelayAvg().AsDuration(), c.GetDelayMax().AsDuration())
	}
	return fmt.Sprintf("%s recv=%d lost=%d loss=%.1f%% dup=%d reord=%d restarts=%d delay=%s down=%v/%v late=%d",
		c.GetClient(), c.GetReceived(), c.GetLost(), c.GetLossPercent(), c.GetDuplicates(), c.GetReordered(),
		c.GetRestarts(), delay, c.GetTimeDown().AsDuration(), c.GetDown(), c.GetLate())
}

const ms = time.Millisecond

// cfg is the contract's defaults with every heartbeat reported.
var cfg = trackerConfig{deadAfter: 3 * time.Second, reorderWindow: time.Second, reportHeartbeats: true}

// trackerCase is steps fed to a tracker, the events and (when set) the
// totals it must report.
type trackerCase struct {
	name   string
	cfg    trackerConfig // cfg when zero
	steps  []step
	end    time.Duration
	want   []string
	totals []string
}

func runCases(t *testing.T, tests []trackerCase) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			if c == (trackerConfig{}) {
				c = cfg
			}
			events, totals := run(t, c, tt.steps, tt.end)
			if !slices.Equal(events, tt.want) {
				t.Errorf("events:\n  %s\nwant:\n  %s", strings.Join(events, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if tt.totals != nil && !slices.Equal(totals, tt.totals) {
				t.Errorf("totals:\n  %s\nwant:\n  %s", strings.Join(totals, "\n  "), strings.Join(tt.totals, "\n  "))
			}
		})
	}
}

func TestTrackerSequences(t *testing.T) {
	runCases(t, []trackerCase{
		{
			name:  "in order",
			steps: []step{hb(5*ms, "a", 1, 0), hb(1005*ms, "a", 2, 1000*ms), hb(2005*ms, "a", 3, 2000*ms)},
			end:   2500 * ms,
			want: []string{"hb a 1 delay=5ms", "hb a 2 delay=5ms", "hb a 3 delay=5ms",
				"summary malformed=0"},
			totals: []string{"a recv=3 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=5ms/5ms/5ms down=0s/false late=0"},
		},
		{
			name: "single gap lost when the window ends, not before",
			steps: []step{hb(0, "a", 1, 0), hb(200*ms, "a", 2, 200*ms), hb(600*ms, "a", 4, 600*ms),
				tick(1600*ms - 1), tick(1600 * ms)},
			end: 1700 * ms,
			want: []string{"hb a 1 delay=0s", "hb a 2 delay=0s", "hb a 4 delay=0s",
				"lost a 3-3 @1.6s", "summary malformed=0"},
			totals: []string{"a recv=3 lost=1 loss=25.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0"},
		},
		{
			name:  "several gaps, each with its own window",
			steps: []step{hb(0, "a", 1, 0), hb(100*ms, "a", 3, 100*ms), hb(500*ms, "a", 7, 500*ms), tick(3 * time.Second)},
			end:   3 * time.Second,
			want: []string{"hb a 1 delay=0s", "hb a 3 delay=0s", "hb a 7 delay=0s",
				"lost a 2-2 @1.1s", "lost a 4-6 @1.5s", "summary malformed=0"},
			totals: []string{"a recv=3 lost=4 loss=57.1% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0"},
		},
		{
			name:  "accounting starts at the first seq heard",
			steps: []step{hb(0, "a", 3, 0), hb(10*ms, "a", 1, -10*ms), hb(20*ms, "a", 4, 20*ms)},
			end:   time.Second,
			want: []string{"hb a 3 delay=0s",
				"log client a: seq 1 is from before seq 3, where counting started; it is not counted",
				"hb a 4 delay=0s", "summary malformed=0"},
			totals: []string{"a recv=2 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0"},
		},
		{
			name:   "duplicate",
			steps:  []step{hb(0, "a", 1, 0), hb(10*ms, "a", 2, 10*ms), hb(11*ms, "a", 2, 10*ms), hb(12*ms, "a", 1, 0)},
			end:    20 * ms,
			want:   []string{"hb a 1 delay=0s", "hb a 2 delay=0s", "dup a 2", "dup a 1", "summary malformed=0"},
			totals: []string{"a recv=2 lost=0 loss=0.0% dup=2 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0"},
		},
		{
			name: "reordered within the window is not lost",
			steps: []step{hb(0, "a", 1, 0), hb(100*ms, "a", 3, 90*ms), hb(900*ms, "a", 2, 80*ms),
				hb(950*ms, "a", 2, 80*ms), tick(2 * time.Second)},
			end: 2 * time.Second,
			want: []string{"hb a 1 delay=0s", "hb a 3 delay=10ms", "hb a 2 delay=820ms", "reordered a 2 after 3",
				"dup a 2", "summary malformed=0"},
			totals: []string{"a recv=3 lost=0 loss=0.0% dup=1 reord=1 restarts=0 delay=0s/276.666666ms/820ms down=0s/false late=0"},
		},
		{
			name: "reordered into the middle of a gap splits it",
			steps: []step{hb(0, "a", 1, 0), hb(100*ms, "a", 6, 100*ms), hb(200*ms, "a", 3, 50*ms),
				hb(300*ms, "a", 5, 60*ms), tick(1100 * ms)},
			end: 1100 * ms,
			want: []string{"hb a 1 delay=0s", "hb a 6 delay=0s", "hb a 3 delay=150ms", "reordered a 3 after 6",
				"hb a 5 delay=240ms", "reordered a 5 after 6", "lost a 2-2 @1.1s", "lost a 4-4 @1.1s", "summary malformed=0"},
			totals: []string{"a recv=4 lost=2 loss=33.3% dup=0 reord=2 restarts=0 delay=0s/97.5ms/240ms down=0s/false late=0"},
		},
		{
			name: "reordered after the window stays lost",
			steps: []step{hb(0, "a", 1, 0), hb(100*ms, "a", 3, 100*ms), tick(1100 * ms),
				hb(1500*ms, "a", 2, 50*ms), hb(1600*ms, "a", 2, 50*ms)},
			end: 2 * time.Second,
			want: []string{"hb a 1 delay=0s", "hb a 3 delay=0s", "lost a 2-2 @1.1s",
				"log client a: seq 2 arrived 1.45s after it was sent, past the reorder window; it stays counted as lost",
				"dup a 2", "summary malformed=0"},
			totals: []string{"a recv=2 lost=1 loss=33.3% dup=1 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=1"},
		},
		{
			name: "late seqs stay lost, each counted late once",
			steps: []step{hb(0, "a", 1, 0), hb(100*ms, "a", 5, 100*ms), tick(1100 * ms),
				hb(1200*ms, "a", 3, 60*ms), hb(1300*ms, "a", 3, 60*ms), hb(1400*ms, "a", 2, 40*ms), hb(1500*ms, "a", 6, 1500*ms)},
			end: 2 * time.Second,
			want: []string{"hb a 1 delay=0s", "hb a 5 delay=0s", "lost a 2-4 @1.1s",
				"log client a: seq 3 arrived 1.14s after it was sent, past the reorder window; it stays counted as lost",
				"dup a 3",
				"log client a: seq 2 arrived 1.36s after it was sent, past the reorder window; it stays counted as lost",
				"hb a 6 delay=0s", "summary malformed=0"},
			totals: []string{"a recv=3 lost=3 loss=50.0% dup=1 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=2"},
		},
		{
			name:  "zero window: a gap is lost at once",
			cfg:   trackerConfig{deadAfter: 3 * time.Second, reportHeartbeats: true},
			steps: []step{hb(0, "a", 1, 0), hb(10*ms, "a", 3, 10*ms), hb(20*ms, "a", 2, 5*ms)},
			end:   30 * ms,
			want: []string{"hb a 1 delay=0s", "hb a 3 delay=0s", "lost a 2-2 @10ms",
				"log client a: seq 2 arrived 15ms after it was sent, past the reorder window; it stays counted as lost",
				"summary malformed=0"},
			totals: []string{"a recv=2 lost=1 loss=33.3% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=1"},
		},
		{
			name: "restart: seq back to 1 with a later send time",
			steps: []step{hb(0, "a", 1, 0), hb(10*ms, "a", 2, 10*ms), hb(20*ms, "a", 4, 20*ms),
				hb(500*ms, "a", 1, 495*ms), hb(600*ms, "a", 2, 595*ms)},
			end: 700 * ms,
			want: []string{"hb a 1 delay=0s", "hb a 2 delay=0s", "hb a 4 delay=0s",
				"lost a 3-3 @500ms", "restart a 1 after 4", "hb a 1 delay=5ms", "hb a 2 delay=5ms", "summary malformed=0"},
			totals: []string{"a recv=5 lost=1 loss=16.7% dup=0 reord=0 restarts=1 delay=0s/2ms/5ms down=0s/false late=0"},
		},
		{
			name: "restart whose first heartbeat came late: counting starts at the one first heard",
			steps: []step{hb(0, "a", 1, 0), hb(10*ms, "a", 2, 10*ms), hb(20*ms, "a", 3, 20*ms),
				hb(500*ms, "a", 2, 500*ms), hb(510*ms, "a", 1, 400*ms), hb(520*ms, "a", 3, 510*ms)},
			end: time.Second,
			want: []string{"hb a 1 delay=0s", "hb a 2 delay=0s", "hb a 3 delay=0s",
				"restart a 2 after 3", "hb a 2 delay=0s",
				"log client a: seq 1 is from before seq 2, where counting started; it is not counted",
				"hb a 3 delay=10ms", "summary malformed=0"},
			totals: []string{"a recv=5 lost=0 loss=0.0% dup=0 reord=0 restarts=1 delay=0s/2ms/10ms down=0s/false late=0"},
		},
		{
			name: "restart: counter wrapped to 0",
			steps: []step{hb(0, "a", 65535, 0), tick(time.Second),
				hb(1100*ms, "a", 0, 1100*ms), hb(1200*ms, "a", 1, 1200*ms)},
			end: 1300 * ms,
			want: []string{"hb a 65535 delay=0s", "log client a: seq 0; heartbeats count from 1",
				"restart a 0 after 65535", "hb a 0 delay=0s", "hb a 1 delay=0s", "summary malformed=0"},
		},
		{
			name: "restart: seq far back even with an older send time",
			steps: []step{hb(0, "a", 300, 0), tick(time.Second), hb(1100*ms, "a", 44, -time.Second),
				hb(1200*ms, "a", 45, -time.Second)},
			end: 1200 * ms,
			want: []string{"hb a 300 delay=0s", "restart a 44 after 300",
				"hb a 44 delay=2.1s", "hb a 45 delay=2.2s", "summary malformed=0"},
		},
		{
			name:   "delay min/avg/max, negative when the client clock is ahead",
			steps:  []step{hb(10*ms, "a", 1, 0), hb(20*ms, "a", 2, 22*ms), hb(60*ms, "a", 3, 30*ms)},
			end:    60 * ms,
			want:   []string{"hb a 1 delay=10ms", "hb a 2 delay=-2ms", "hb a 3 delay=30ms", "summary malformed=0"},
			totals: []string{"a recv=3 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=-2ms/12.666666ms/30ms down=0s/false late=0"},
		},
	})
}

func TestTrackerLiveness(t *testing.T) {
	s := time.Second
	runCases(t, []trackerCase{
		{
			name:   "down at dead_after exactly, not before",
			steps:  []step{hb(0, "a", 1, 0), hb(1*s, "a", 2, 1*s), tick(4*s - 1), tick(4 * s)},
			end:    5 * s,
			want:   []string{"hb a 1 delay=0s", "hb a 2 delay=0s", "down a last=2 seen=1s @4s", "summary malformed=0"},
			totals: []string{"a recv=2 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=1s/true late=0"},
		},
		{
			name:  "down reported late still carries the moment it went down",
			steps: []step{hb(0, "a", 1, 0), tick(7 * s)},
			end:   7 * s,
			want:  []string{"hb a 1 delay=0s", "down a last=1 seen=0s @3s", "summary malformed=0"},
		},
		{
			name:  "a heartbeat read late, after the server was busy, keeps its client up",
			steps: []step{hb(0, "a", 1, 0), hb(3500*ms, "a", 2, 100*ms)},
			end:   4 * s,
			want:  []string{"hb a 1 delay=0s", "hb a 2 delay=3.4s", "summary malformed=0"},
		},
		{
			name:  "steady client never down",
			steps: []step{hb(0, "a", 1, 0), hb(2900*ms, "a", 2, 2900*ms), hb(5800*ms, "a", 3, 5800*ms), tick(8699 * ms)},
			end:   8699 * ms,
			want:  []string{"hb a 1 delay=0s", "hb a 2 delay=0s", "hb a 3 delay=0s", "summary malformed=0"},
		},
		{
			name: "up again, down again, time down adds up",
			steps: []step{hb(0, "a", 1, 0), tick(3 * s), hb(5*s, "a", 2, 5*s),
				hb(6*s, "a", 3, 6*s), tick(9 * s)},
			end: 10 * s,
			want: []string{"hb a 1 delay=0s", "down a last=1 seen=0s @3s", "up a 2 silent=5s", "hb a 2 delay=0s",
				"hb a 3 delay=0s", "down a last=3 seen=6s @9s", "summary malformed=0"},
			totals: []string{"a recv=3 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=3s/true late=0"},
		},
		{
			name: "a client that comes back restarted",
			steps: []step{hb(0, "a", 1, 0), hb(1*s, "a", 2, 1*s), tick(4 * s),
				hb(10*s, "a", 1, 10*s)},
			end: 10 * s,
			want: []string{"hb a 1 delay=0s", "hb a 2 delay=0s", "down a last=2 seen=1s @4s",
				"up a 1 silent=9s", "restart a 1 after 2", "hb a 1 delay=0s", "summary malformed=0"},
			totals: []string{"a recv=3 lost=0 loss=0.0% dup=0 reord=0 restarts=1 delay=0s/0s/0s down=6s/false late=0"},
		},
		{
			name: "several clients at once: only the silent one goes down",
			steps: []step{
				hb(0, "a", 1, 0), hb(0, "b", 1, 0), {at: 0, peer: "127.0.0.1:4001", data: "Ping 1 1700000000"},
				hb(2*s, "b", 2, 2*s), {at: 2 * s, peer: "127.0.0.1:4001", data: "Ping 2 1700000002"},
				tick(3 * s), // the server's read deadline
				hb(4*s, "b", 4, 4*s), {at: 4 * s, peer: "127.0.0.1:4001", data: "Ping 3 1700000004"},
				tick(5 * s)},
			end: 6 * s,
			want: []string{"hb a 1 delay=0s", "hb b 1 delay=0s", "hb 127.0.0.1:4001 1 delay=0s",
				"hb b 2 delay=0s", "hb 127.0.0.1:4001 2 delay=0s",
				"down a last=1 seen=0s @3s",
				"hb b 4 delay=0s", "hb 127.0.0.1:4001 3 delay=0s",
				"lost b 3-3 @5s", "summary malformed=0"},
			totals: []string{
				"127.0.0.1:4001 recv=3 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0",
				"a recv=1 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=3s/true late=0",
				"b recv=3 lost=1 loss=25.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0",
			},
		},
		{
			name: "without an id each source address is a client",
			steps: []step{
				{at: 0, peer: "127.0.0.1:4001", data: "Heartbeat 1 1700000000"},
				{at: 0, peer: "127.0.0.1:4002", data: "Heartbeat 1 1700000000"},
				{at: 0, peer: "[::1]:4001", data: "Heartbeat 1 1700000000"}},
			want: []string{"hb 127.0.0.1:4001 1 delay=0s", "hb 127.0.0.1:4002 1 delay=0s", "hb [::1]:4001 1 delay=0s", "summary malformed=0"},
		},
	})
}

func TestTrackerMalformed(t *testing.T) {
	junk := func(data string) step { return step{at: 0, peer: peerA, data: data} }
	events, totals := run(t, cfg, []step{
		junk(""),
		junk("\x00\x01\x02\xff"),
		junk("Heartbeat 99999999999999999999999 1700000000"),
		junk("Heartbeat -3 1700000000"),
		junk("Heartbeat 3"),
		junk("Ping 1 Wed Nov 26 09:39:43 2025"),
		junk("GET / HTTP/1.0"),
		junk("  Ping   1   1700000000  "), // a heartbeat after all
	}, 0)
	want := []string{
		`malformed 127.0.0.1:4000 "": ` + reasonEmpty,
		`malformed 127.0.0.1:4000 "\x00\x01\x02\xff": ` + reasonNotText,
		`malformed 127.0.0.1:4000 "Heartbeat 99999999999999999999999 1700000000": ` + reasonSeqRange,
		`malformed 127.0.0.1:4000 "Heartbeat -3 1700000000": ` + reasonBadSeq,
		`malformed 127.0.0.1:4000 "Heartbeat 3": ` + reasonNoTime,
		`malformed 127.0.0.1:4000 "Ping 1 Wed Nov 26 09:39:43 2025": ` + reasonBadTime,
		`malformed 127.0.0.1:4000 "GET / HTTP/1.0": ` + reasonKeyword,
		"hb 127.0.0.1:4000 1 delay=0s",
		"summary malformed=7",
	}
	if !slices.Equal(events, want) {
		t.Errorf("events:\n  %s\nwant:\n  %s", strings.Join(events, "\n  "), strings.Join(want, "\n  "))
	}
	if len(totals) != 1 {
		t.Errorf("malformed datagrams made clients: %v", totals)
	}
}

func TestTrackerMalformedFloodIsCountedNotAllReported(t *testing.T) {
	var steps []step
	for i := range 2*malformedPerSecond + 50 {
		// Two windows: the first second fills one, the rest spill over.
		at := time.Duration(i) * ms
		if i >= malformedPerSecond+50 {
			at = 1100*ms + time.Duration(i)*ms
		}
		steps = append(steps, step{at: at, peer: peerA, data: "junk"})
	}
	events, _ := run(t, cfg, steps, 2*time.Second)
	var malformed, logs []string
	for _, e := range events {
		switch {
		case strings.HasPrefix(e, "malformed"):
			malformed = append(malformed, e)
		case strings.HasPrefix(e, "log"):
			logs = append(logs, e)
		}
	}
	wantLogs := []string{"log 50 more malformed datagrams counted but not reported one by one"}
	if len(malformed) != 2*malformedPerSecond || !slices.Equal(logs, wantLogs) {
		t.Errorf("%d malformed events and logs %q, want %d and %q", len(malformed), logs, 2*malformedPerSecond, wantLogs)
	}
	if last := events[len(events)-1]; last != "summary malformed=250" {
		t.Errorf("last event %q, want the summary counting all 250", last)
	}
}

// A heartbeat from a known client, reported only in totals, costs no allocation.
func TestTrackerHeartbeatDoesNotAllocate(t *testing.T) {
	tr := newTracker(trackerConfig{deadAfter: 3 * time.Second, reorderWindow: time.Second}, sdk.NewHeartbeatServerEvents(func(*pb.HeartbeatServerEvent) {}))
	peer := netip.MustParseAddrPort(peerA)
	buf := make([]byte, 0, 64)
	now := t0
	for _, id := range []string{"a", ""} {
		seq := uint64(0)
		allocs := testing.AllocsPerRun(1000, func() {
			seq++
			now = now.Add(ms)
			tr.handle(now, peer, AppendHeartbeat(buf[:0], seq, now, id))
			tr.sweep(now)
		})
		if allocs != 0 {
			t.Errorf("id %q: %v allocations per heartbeat, want 0", id, allocs)
		}
	}
}

// Whatever the network does to a stream of heartbeats (drops, reorders,
// duplicates), every seq ends up received or lost exactly once, and the Lost
// events add up to the totals.
func TestTrackerAccountsForEverySeq(t *testing.T) {
	var late uint64 // over all seeds, to know the late path was taken
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 1))
		const n = 500
		var steps []step
		received := map[uint64]bool{}
		for seq := uint64(1); seq <= n; seq++ {
			sent := time.Duration(seq) * 10 * ms
			if rng.IntN(10) == 0 { // lost
				continue
			}
			arrive := sent + time.Duration(rng.IntN(1500))*ms // some beyond the window
			copies := 1 + rng.IntN(2)
			for range copies {
				steps = append(steps, hb(arrive, "a", seq, sent))
			}
			received[seq] = true
		}
		slices.SortStableFunc(steps, func(a, b step) int { return int(a.at - b.at) })
		var got []*pb.HeartbeatServerEvent
		tr := newTracker(cfg, sdk.NewHeartbeatServerEvents(func(e *pb.HeartbeatServerEvent) { got = append(got, e) }))
		for _, s := range steps {
			now := t0.Add(s.at)
			tr.handle(now, netip.MustParseAddrPort(s.peer), []byte(s.data))
			tr.sweep(now)
		}
		tr.finish(t0.Add(20 * time.Second))

		fate := map[uint64]string{}
		note := func(seq uint64, what string) {
			if fate[seq] != "" && what != "late" {
				t.Fatalf("seed %d: seq %d is %s and %s", seed, seq, fate[seq], what)
			}
			if what != "late" {
				fate[seq] = what
			}
		}
		var lostEvents, lateLogs uint64
		for _, e := range got {
			switch {
			case strings.HasSuffix(e.GetLog().GetMessage(), "it stays counted as lost"):
				lateLogs++
			case e.GetHeartbeat() != nil:
				note(e.GetHeartbeat().GetSeq(), "received")
			case e.GetLost() != nil:
				for s := e.GetLost().GetFirstSeq(); s <= e.GetLost().GetLastSeq(); s++ {
					note(s, "lost")
					lostEvents++
				}
			case e.GetRestart() != nil:
				t.Fatalf("seed %d: unexpected %v", seed, e)
			}
		}
		// Counting starts at the first seq to arrive.
		base, highest := got[0].GetHeartbeat().GetSeq(), uint64(0)
		for s := range received {
			highest = max(highest, s)
		}
		for s := uint64(1); s < base; s++ {
			if fate[s] != "" {
				t.Fatalf("seed %d: seq %d, before the first one heard, is %s", seed, s, fate[s])
			}
		}
		for s := base; s <= highest; s++ {
			if fate[s] == "" {
				t.Fatalf("seed %d: seq %d neither received nor lost", seed, s)
			}
			if fate[s] == "received" && !received[s] {
				t.Fatalf("seed %d: seq %d received but never sent", seed, s)
			}
		}
		tot := got[len(got)-1].GetSummary().GetClients()[0]
		if tot.GetLost() != lostEvents || tot.GetReceived()+tot.GetLost() != highest-base+1 || tot.GetLate() != lateLogs {
			t.Fatalf("seed %d: totals %v, Lost events %d, late logs %d, highest seq %d", seed, tot, lostEvents, lateLogs, highest)
		}
		late += tot.GetLate()
	}
	if late == 0 {
		t.Error("no seq arrived late in any run; the test lost its point")
	}
}

// Seq 0 is accepted with a warning, once per client.
func TestTrackerWarnsOfSeqZeroOnce(t *testing.T) {
	events, totals := run(t, cfg, []step{hb(0, "a", 0, 0), hb(10*ms, "a", 1, 10*ms), hb(20*ms, "b", 0, 20*ms), hb(2*time.Second, "a", 0, 2*time.Second)}, 2100*ms)
	if want := []string{
		"log client a: seq 0; heartbeats count from 1", "hb a 0 delay=0s", "hb a 1 delay=0s",
		"log client b: seq 0; heartbeats count from 1", "hb b 0 delay=0s",
		"restart a 0 after 1", "hb a 0 delay=0s", "summary malformed=0",
	}; !slices.Equal(events, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(want, "\n"))
	}
	if len(totals) != 2 {
		t.Errorf("totals %q", totals)
	}
}

// Past max_clients, heartbeats from new clients are counted, not tracked;
// the summary lists summary_clients clients, the busiest, and adds up the
// rest.
func TestTrackerBoundsClients(t *testing.T) {
	var got []*pb.HeartbeatServerEvent
	tr := newTracker(trackerConfig{deadAfter: time.Hour, reorderWindow: time.Second, maxClients: 5, summaryClients: 2},
		sdk.NewHeartbeatServerEvents(func(e *pb.HeartbeatServerEvent) { got = append(got, e) }))
	peer := netip.MustParseAddrPort(peerA)
	now := t0
	send := func(id string, seq uint64) {
		now = now.Add(ms)
		tr.handle(now, peer, AppendHeartbeat(nil, seq, now, id))
		tr.sweep(now)
	}
	// c1 sends 1 heartbeat, c2 2, ... c5 5 (c4 loses one); c6 and c7 are past the cap.
	for i := 1; i <= 7; i++ {
		for seq := 1; seq <= i; seq++ {
			if i == 4 && seq == 2 {
				continue
			}
			send(fmt.Sprintf("c%d", i), uint64(seq))
		}
	}
	tr.finish(now.Add(2 * time.Second))
	var logs []string
	for _, e := range got {
		if l := e.GetLog(); l != nil {
			logs = append(logs, l.GetMessage())
		}
	}
	if len(logs) != 1 || !strings.HasPrefix(logs[0], "max_clients (5) are tracked: heartbeats from other clients are only counted, from 127.0.0.1:4000 on") {
		t.Errorf("logs %q", logs)
	}
	sum := got[len(got)-1].GetSummary()
	var listed []string
	for _, c := range sum.GetClients() {
		listed = append(listed, describeTotals(c))
	}
	if !slices.Equal(listed, []string{
		"c4 recv=3 lost=1 loss=25.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0",
		"c5 recv=5 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0",
	}) {
		t.Errorf("listed:\n%s", strings.Join(listed, "\n"))
	}
	if sum.GetClientsTracked() != 5 || sum.GetUnlistedClients() != 3 || sum.GetUntrackedHeartbeats() != 6+7 {
		t.Errorf("tracked %d, unlisted %d, untracked heartbeats %d; want 5, 3, 13",
			sum.GetClientsTracked(), sum.GetUnlistedClients(), sum.GetUntrackedHeartbeats())
	}
	if got := describeTotals(sum.GetUnlisted()); got != " recv=6 lost=0 loss=0.0% dup=0 reord=0 restarts=0 delay=0s/0s/0s down=0s/false late=0" {
		t.Errorf("unlisted totals %s", got)
	}
}

// 60,000 clients, one heartbeat each: the tracker keeps max_clients of
// them and the summary stays small.
func TestTrackerSixtyThousandClients(t *testing.T) {
	var sum *pb.HeartbeatServerSummary
	tr := newTracker(trackerConfig{deadAfter: 3 * time.Second, reorderWindow: time.Second}, sdk.NewHeartbeatServerEvents(func(e *pb.HeartbeatServerEvent) {
		if e.GetSummary() != nil {
			sum = e.GetSummary()
		}
	}))
	peer := netip.MustParseAddrPort(peerA)
	buf := make([]byte, 0, 64)
	for i := range 60000 {
		now := t0.Add(time.Duration(i) * time.Microsecond)
		tr.handle(now, peer, AppendHeartbeat(buf[:0], 1, now, fmt.Sprintf("id%d", i)))
		tr.sweep(now)
	}
	tr.finish(t0.Add(time.Minute))
	size := proto.Size(sum)
	t.Logf("summary of 60000 clients: %d listed, %d bytes", len(sum.GetClients()), size)
	if len(tr.byID) != defaultMaxClients || sum.GetClientsTracked() != defaultMaxClients || len(sum.GetClients()) != defaultSummaryClients ||
		sum.GetUntrackedHeartbeats() != 60000-defaultMaxClients || sum.GetUnlisted().GetReceived() != defaultMaxClients-defaultSummaryClients {
		t.Errorf("tracked %d, listed %d, untracked %d, unlisted %v", sum.GetClientsTracked(), len(sum.GetClients()), sum.GetUntrackedHeartbeats(), sum.GetUnlisted())
	}
	if size > 200*defaultSummaryClients {
		t.Errorf("summary of %d bytes for %d listed clients", size, defaultSummaryClients)
	}
}
