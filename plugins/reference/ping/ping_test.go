package ping

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// guard bounds every wait in these tests; it is a failure guard, not a
// performance claim.
const guard = 10 * time.Second

// startServer runs the reference server on a free loopback port and returns
// its address and a channel of its events.
func startServer(t *testing.T, cfg *pb.PingServerConfig) (string, <-chan *pb.PingServerEvent) {
	t.Helper()
	events := make(chan *pb.PingServerEvent, 10000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, sdk.NewPingServerEvents(func(ev *pb.PingServerEvent) { events <- ev }))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	select {
	case ev := <-events:
		if ev.GetReady() == nil {
			t.Fatalf("first event is %v, want ready", ev)
		}
		return ev.GetReady().GetAddress(), events
	case <-time.After(guard):
		t.Fatal("server never became ready")
	}
	return "", nil
}

func exchange(t *testing.T, conn *net.UDPConn, msg []byte) ([]byte, bool) {
	t.Helper()
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, maxDatagram)
	n, err := conn.Read(buf)
	if err != nil {
		return nil, false
	}
	return buf[:n], true
}

func dial(t *testing.T, addr string) *net.UDPConn {
	t.Helper()
	raddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestServerEchoesUpperCased(t *testing.T) {
	addr, _ := startServer(t, &pb.PingServerConfig{Listen: "127.0.0.1:0", DropRate: 0})
	conn := dial(t, addr)
	big := bytes.Repeat([]byte("abc"), 20000)
	tests := []struct {
		name string
		in   []byte
		want []byte
	}{
		{"sheet message", []byte("Ping 1 1764147583.123456"), []byte("PING 1 1764147583.123456")},
		{"empty datagram", []byte{}, []byte{}},
		{"binary junk", []byte{0, 0xff, 'a', 0x80}, []byte{0, 0xff, 'A', 0x80}},
		{"utf-8 left alone", []byte("ping é ß"), []byte("PING é ß")},
		{"60 kB datagram", big, bytes.ToUpper(big)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := exchange(t, conn, tt.in)
			if !ok {
				t.Fatal("no reply")
			}
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("reply %q, want %q", truncate(got), truncate(tt.want))
			}
		})
	}
}

func truncate(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// dropPattern sends n datagrams one at a time and returns, from the server's
// own events, which were dropped.
func dropPattern(t *testing.T, rate float64, seed int64, n int) []bool {
	t.Helper()
	addr, events := startServer(t, &pb.PingServerConfig{Listen: "127.0.0.1:0", DropRate: rate, Seed: seed})
	conn := dial(t, addr)
	var dropped []bool
	for i := 1; i <= n; i++ {
		if _, err := conn.Write(AppendMessage(nil, uint32(i), time.Now())); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-events:
			dropped = append(dropped, ev.GetDrop() != nil)
		case <-time.After(guard):
			t.Fatalf("no event for datagram %d", i)
		}
	}
	return dropped
}

func TestServerDropsAreSeeded(t *testing.T) {
	a := dropPattern(t, 0.5, 7, 200)
	b := dropPattern(t, 0.5, 7, 200)
	c := dropPattern(t, 0.5, 8, 200)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("same seed gave different drops")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("different seeds gave the same 200 drops")
	}
}

// The sheet drops when randint(0, 10) < 4: 4 in 11.
func TestServerDefaultDropRateIsTheSheets(t *testing.T) {
	r := roles.PingServer()
	rate := r.Defaults().(*pb.PingServerConfig).DropRate
	const n = 3000
	drops := 0
	for _, d := range dropPattern(t, rate, 1, n) {
		if d {
			drops++
		}
	}
	// Binomial sd is about 26 drops here; 5 sd either side cannot fail by chance.
	want := float64(n) * 4 / 11
	if got := float64(drops); got < want-130 || got > want+130 {
		t.Fatalf("%d of %d dropped, want about %.0f", drops, n, want)
	}
}

// scriptServer is a plain UDP server, not a plugin, like a student's: it
// upper-cases, drops the seqs in drop, and holds back the reply to the seqs
// in delay.
func scriptServer(t *testing.T, drop map[uint32]bool, delay map[uint32]time.Duration) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 2048)
		for {
			n, peer, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			reply := bytes.ToUpper(buf[:n])
			seq, _ := ReplySeq(reply)
			if drop[seq] {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(delay[seq])
				pc.WriteTo(reply, peer)
			}()
		}
	}()
	return pc.LocalAddr().String()
}

type recorded struct {
	sent, timeouts, replies, late []uint32
	rtts                          []time.Duration
	payloads                      [][]byte
	summary                       *pb.PingClientSummary
	logs                          []string
}

func runClient(t *testing.T, ctx context.Context, cfg *pb.PingClientConfig) *recorded {
	t.Helper()
	var r recorded
	out := sdk.NewPingClientEvents(func(ev *pb.PingClientEvent) {
		switch e := ev.Event.(type) {
		case *pb.PingClientEvent_Sent:
			r.sent = append(r.sent, e.Sent.Seq)
			r.payloads = append(r.payloads, e.Sent.Payload)
		case *pb.PingClientEvent_Reply:
			r.replies = append(r.replies, e.Reply.Seq)
			r.rtts = append(r.rtts, e.Reply.Rtt.AsDuration())
		case *pb.PingClientEvent_Timeout:
			r.timeouts = append(r.timeouts, e.Timeout.Seq)
		case *pb.PingClientEvent_Late:
			r.late = append(r.late, e.Late.Seq)
		case *pb.PingClientEvent_Summary:
			r.summary = e.Summary
		case *pb.PingClientEvent_Log:
			r.logs = append(r.logs, e.Log.Message)
		}
	})
	if err := Run(ctx, cfg, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if r.summary == nil {
		t.Fatal("no summary")
	}
	return &r
}

func clientConfig(server string, count uint32, timeout time.Duration) *pb.PingClientConfig {
	return &pb.PingClientConfig{Server: server, Count: count, Timeout: durationpb.New(timeout), Interval: durationpb.New(0)}
}

func TestClientAgainstAPlainServerWithKnownDrops(t *testing.T) {
	addr := scriptServer(t, map[uint32]bool{2: true, 5: true, 9: true}, nil)
	r := runClient(t, context.Background(), clientConfig(addr, 10, 200*time.Millisecond))

	if fmt.Sprint(r.sent) != "[1 2 3 4 5 6 7 8 9 10]" {
		t.Errorf("sent %v", r.sent)
	}
	format := regexp.MustCompile(`^Ping (\d+) \d+\.\d{6}$`)
	for i, p := range r.payloads {
		m := format.FindSubmatch(p)
		if m == nil || string(m[1]) != strconv.Itoa(i+1) {
			t.Errorf("ping %d is %q, want Ping %d <time>", i+1, p, i+1)
		}
	}
	if fmt.Sprint(r.timeouts) != "[2 5 9]" || fmt.Sprint(r.replies) != "[1 3 4 6 7 8 10]" {
		t.Errorf("timeouts %v, replies %v", r.timeouts, r.replies)
	}
	s := r.summary
	if s.Transmitted != 10 || s.Received != 7 || s.LossPercent != 30 {
		t.Errorf("summary %v", s)
	}
	var sum, lo, hi time.Duration = 0, r.rtts[0], r.rtts[0]
	for _, d := range r.rtts {
		sum += d
		lo, hi = min(lo, d), max(hi, d)
	}
	avg := sum / time.Duration(len(r.rtts))
	if s.RttMin.AsDuration() != lo || s.RttMax.AsDuration() != hi || (s.RttAvg.AsDuration()-avg).Abs() > time.Microsecond {
		t.Errorf("summary rtt %v/%v/%v, replies give %v/%v/%v", s.RttMin.AsDuration(), s.RttAvg.AsDuration(), s.RttMax.AsDuration(), lo, avg, hi)
	}
}

func TestClientReportsLateRepliesWithoutMiscounting(t *testing.T) {
	addr := scriptServer(t, nil, map[uint32]time.Duration{2: 400 * time.Millisecond})
	r := runClient(t, context.Background(), &pb.PingClientConfig{
		Server: addr, Count: 4, Timeout: durationpb.New(250 * time.Millisecond),
		Interval: durationpb.New(200 * time.Millisecond),
	})
	if fmt.Sprint(r.timeouts) != "[2]" || fmt.Sprint(r.late) != "[2]" || fmt.Sprint(r.replies) != "[1 3 4]" {
		t.Fatalf("timeouts %v late %v replies %v", r.timeouts, r.late, r.replies)
	}
	if r.summary.Received != 3 {
		t.Fatalf("summary counts the late reply: %v", r.summary)
	}
}

func TestClientWithNoServerTimesOutEveryPing(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nobody listens there now
	r := runClient(t, context.Background(), clientConfig(addr, 3, 100*time.Millisecond))
	if fmt.Sprint(r.timeouts) != "[1 2 3]" || r.summary.LossPercent != 100 {
		t.Fatalf("timeouts %v summary %v", r.timeouts, r.summary)
	}
	if len(r.logs) != 1 {
		t.Fatalf("want one port-unreachable warning, got %q", r.logs)
	}
}

func TestClientStopsEarlyWithASummary(t *testing.T) {
	addr := scriptServer(t, map[uint32]bool{1: true, 2: true, 3: true, 4: true}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	r := runClient(t, ctx, clientConfig(addr, 1000, time.Second))
	if r.summary.Transmitted == 0 || r.summary.Transmitted > 2 || len(r.timeouts) != 0 {
		t.Fatalf("stopped run: %v, timeouts %v", r.summary, r.timeouts)
	}
}

func TestStats(t *testing.T) {
	tests := []struct {
		name                string
		sent                uint32
		rtts                []time.Duration
		loss                float64
		min, avg, max, mdev time.Duration
	}{
		{"none received", 4, nil, 100, 0, 0, 0, 0},
		{"one", 1, []time.Duration{3 * time.Millisecond}, 0, 3 * time.Millisecond, 3 * time.Millisecond, 3 * time.Millisecond, 0},
		{"ping(8) mdev", 5, []time.Duration{time.Millisecond, 3 * time.Millisecond}, 60, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Stats
			s.Transmitted = tt.sent
			for _, d := range tt.rtts {
				s.Add(d)
			}
			got := s.Summary()
			if got.LossPercent != tt.loss || got.RttMin.AsDuration() != tt.min || got.RttAvg.AsDuration() != tt.avg ||
				got.RttMax.AsDuration() != tt.max || got.RttMdev.AsDuration() != tt.mdev {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestMessageFormat(t *testing.T) {
	at := time.Unix(1764147583, 123000).UTC()
	if got := string(AppendMessage(nil, 3, at)); got != "Ping 3 1764147583.000123" {
		t.Fatalf("Message = %q", got)
	}
	seq, ok := ReplySeq([]byte("PING 12 1764147583.000123"))
	if !ok || seq != 12 {
		t.Fatalf("ReplySeq = %d, %v", seq, ok)
	}
	for _, bad := range []string{"", "PONG 1 2", "PING x 1", "PING"} {
		if _, ok := ReplySeq([]byte(bad)); ok {
			t.Errorf("ReplySeq(%q) ok", bad)
		}
	}
}

// kindsAndArrivals runs the client against a plain server that drops ping 2,
// recording each event's kind, its own time and when it reached the sender.
func kindsAndArrivals(t *testing.T, hold bool) (kinds []string, own, arrived []time.Time) {
	t.Helper()
	addr := scriptServer(t, map[uint32]bool{2: true}, nil)
	cfg := clientConfig(addr, 4, 100*time.Millisecond)
	cfg.HoldEvents = hold
	out := sdk.NewPingClientEvents(func(ev *pb.PingClientEvent) {
		roles.Stamp(ev, time.Now()) // what the SDK's stream does
		kind, _, at := roles.Unpack(ev)
		kinds = append(kinds, kind)
		own = append(own, at)
		arrived = append(arrived, time.Now())
	})
	if err := Run(context.Background(), cfg, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return kinds, own, arrived
}

func TestClientHoldEventsReportsTheSameRecordAfterTheLastPing(t *testing.T) {
	const want = "[sent reply sent timeout sent reply sent reply summary]"
	tests := []struct {
		name string
		hold bool
	}{
		{"live", false},
		{"held", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kinds, own, arrived := kindsAndArrivals(t, tt.hold)
			if fmt.Sprint(kinds) != want {
				t.Fatalf("events %v, want %v", kinds, want)
			}
			for i := 1; i < len(own); i++ {
				if own[i].Before(own[i-1]) {
					t.Errorf("event %d (%s) is dated before the one ahead of it", i, kinds[i])
				}
			}
			// The timeout of ping 2 alone takes 100 ms: live, the first event
			// arrives before it; held, only after the last reply.
			lastReply := own[len(own)-2]
			if early := arrived[0].Before(lastReply); early == tt.hold {
				t.Errorf("first event arrived at %v, last reply happened at %v (hold %v)", arrived[0], lastReply, tt.hold)
			}
		})
	}
}

func TestServerSummaryOnlyCountsWithoutAnEventPerDatagram(t *testing.T) {
	var events []*pb.PingServerEvent
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cfg := &pb.PingServerConfig{Listen: "127.0.0.1:0", DropRate: 0.5, Seed: 3, SummaryOnly: true}
	go func() {
		done <- Serve(ctx, cfg, sdk.NewPingServerEvents(func(ev *pb.PingServerEvent) {
			if r := ev.GetReady(); r != nil {
				ready <- r.Address
			}
			events = append(events, ev)
		}))
	}()
	conn := dial(t, <-ready)
	const n = 8
	replies := 0
	for i := 1; i <= n; i++ {
		if _, ok := exchange(t, conn, AppendMessage(nil, uint32(i), time.Now())); ok {
			replies++
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if len(events) != 2 || events[1].GetSummary() == nil {
		t.Fatalf("events %v, want ready and summary", events)
	}
	s := events[1].GetSummary()
	if s.Received != n || s.Echoed != uint64(replies) || s.Dropped != uint64(n-replies) || replies == 0 || replies == n {
		t.Fatalf("summary %v, %d replies", s, replies)
	}
}

// TestServerCountsWhatItsSocketHeldWhenStopped stops the server right after
// pings reached its socket: they were delivered, so its Summary counts them
// whichever of the stop and the read comes first.
func TestServerCountsWhatItsSocketHeldWhenStopped(t *testing.T) {
	const rounds, pings = 20, 3
	for round := range rounds {
		var summary *pb.PingServerSummary
		ready := make(chan string, 1)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		cfg := &pb.PingServerConfig{Listen: "127.0.0.1:0", Seed: 1}
		go func() {
			done <- Serve(ctx, cfg, sdk.NewPingServerEvents(func(ev *pb.PingServerEvent) {
				if r := ev.GetReady(); r != nil {
					ready <- r.Address
				}
				if s := ev.GetSummary(); s != nil {
					summary = s
				}
			}))
		}()
		conn := dial(t, <-ready)
		for i := 1; i <= pings; i++ {
			// On loopback a datagram is in the server's socket once the
			// write returns.
			if _, err := conn.Write(AppendMessage(nil, uint32(i), time.Now())); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Serve: %v", err)
		}
		if summary.GetReceived() != pings {
			t.Fatalf("round %d: Summary says received %d, want the %d pings its socket held", round, summary.GetReceived(), pings)
		}
	}
}
