package heartbeat

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// guard bounds every wait so that a broken server fails a test instead of
// hanging it; nothing is asserted about how fast things happen.
const guard = 10 * time.Second

// recorder collects the events of one Serve or Beat.
type recorder[E any] struct {
	mu     sync.Mutex
	events []E
}

func (r *recorder[E]) emit(e E) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder[E]) snapshot() []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// waitFor polls until some event satisfies ok and returns it.
func (r *recorder[E]) waitFor(t *testing.T, what string, ok func(E) bool) E {
	t.Helper()
	for start := time.Now(); time.Since(start) < guard; time.Sleep(5 * time.Millisecond) {
		if i := slices.IndexFunc(r.snapshot(), ok); i >= 0 {
			return r.snapshot()[i]
		}
	}
	t.Fatalf("no %s within %v", what, guard)
	panic("unreachable")
}

// server runs Serve on a loopback port until the test ends and returns its
// address, its events and a function that stops it and returns its summary.
func server(t *testing.T, deadAfter, window time.Duration, report bool) (string, *recorder[*pb.HeartbeatServerEvent], func() *pb.HeartbeatServerSummary) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder[*pb.HeartbeatServerEvent]{}
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, &pb.HeartbeatServerConfig{
			Listen: "127.0.0.1:0", DeadAfter: durationpb.New(deadAfter),
			ReorderWindow: durationpb.New(window), ReportHeartbeats: report,
		}, sdk.NewHeartbeatServerEvents(rec.emit))
	}()
	var stopped *pb.HeartbeatServerSummary
	stop := func() *pb.HeartbeatServerSummary {
		if stopped != nil {
			return stopped
		}
		cancel()
		returned(t, done, "Serve")
		events := rec.snapshot()
		stopped = events[len(events)-1].GetSummary()
		if stopped == nil {
			t.Fatalf("last event %v is not the summary", events[len(events)-1])
		}
		return stopped
	}
	t.Cleanup(func() { stop() })
	ready := rec.waitFor(t, "Ready", func(e *pb.HeartbeatServerEvent) bool { return e.GetReady() != nil })
	if i := slices.IndexFunc(rec.snapshot(), func(e *pb.HeartbeatServerEvent) bool { return e.GetReady() != nil }); i != 0 {
		t.Fatalf("Ready is event %d, want the first", i)
	}
	return ready.GetReady().GetAddress(), rec, stop
}

// returned waits for a cancelled Serve or Beat to return nil on done.
func returned(t *testing.T, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s = %v after cancel, want nil", what, err)
		}
	case <-time.After(guard):
		t.Fatalf("%s did not return within %v of cancel", what, guard)
	}
}

// beat runs Beat to completion.
func beat(t *testing.T, cfg *pb.HeartbeatClientConfig) []*pb.HeartbeatClientEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	rec := &recorder[*pb.HeartbeatClientEvent]{}
	if err := Beat(ctx, cfg, sdk.NewHeartbeatClientEvents(rec.emit)); err != nil {
		t.Fatalf("Beat: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("Beat ran past %v", guard)
	}
	events := rec.snapshot()
	if len(events) == 0 || events[len(events)-1].GetSummary() == nil {
		t.Fatalf("Beat's last event is not the summary: %v", events)
	}
	return events
}

// liveness describes a client's Down and Up events.
func liveness(events []*pb.HeartbeatServerEvent, client string) []string {
	var out []string
	for _, e := range events {
		if d := e.GetDown(); d.GetClient() == client {
			out = append(out, fmt.Sprintf("down last=%d", d.GetLastSeq()))
		}
		if u := e.GetUp(); u.GetClient() == client {
			out = append(out, fmt.Sprintf("up %d", u.GetSeq()))
		}
	}
	return out
}

func totalsOf(t *testing.T, sum *pb.HeartbeatServerSummary, client string) *pb.HeartbeatClientTotals {
	t.Helper()
	for _, c := range sum.GetClients() {
		if c.GetClient() == client {
			return c
		}
	}
	t.Fatalf("no totals for %q in %v", client, sum)
	return nil
}

func TestServeAndBeatPauseIsDownThenUp(t *testing.T) {
	// Heartbeats 50 times closer together than dead_after: only a stall of
	// the whole machine could make the server see a Down outside the pause.
	const deadAfter = time.Second
	addr, rec, stop := server(t, deadAfter, 200*time.Millisecond, true)
	sent := beat(t, &pb.HeartbeatClientConfig{
		Server: addr, Interval: durationpb.New(20 * time.Millisecond), ClientId: "pauser",
		PauseAfter: durationpb.New(200 * time.Millisecond), PauseFor: durationpb.New(2 * deadAfter),
		StopAfter: durationpb.New(600*time.Millisecond + 2*deadAfter),
	})

	var kinds []string
	var beforePause, lastSeq, resumedAt uint64
	for _, e := range sent {
		switch {
		case e.GetSent() != nil:
			lastSeq = e.GetSent().GetSeq()
			if len(kinds) == 0 || kinds[len(kinds)-1] != "sent" {
				kinds = append(kinds, "sent")
			}
		case e.GetPaused() != nil:
			beforePause = lastSeq
			kinds = append(kinds, "paused")
		case e.GetResumed() != nil:
			resumedAt = e.GetResumed().GetNextSeq()
			kinds = append(kinds, "resumed")
		case e.GetSummary() != nil:
			kinds = append(kinds, "summary")
			if e.GetSummary().GetSent() != lastSeq {
				t.Errorf("summary says %d sent, last seq was %d", e.GetSummary().GetSent(), lastSeq)
			}
		}
	}
	if want := []string{"sent", "paused", "resumed", "sent", "summary"}; !slices.Equal(kinds, want) {
		t.Fatalf("client events %v, want %v", kinds, want)
	}
	if resumedAt != beforePause+1 {
		t.Errorf("resumed at seq %d after pausing at %d, want the next one", resumedAt, beforePause)
	}

	rec.waitFor(t, "the last heartbeat", func(e *pb.HeartbeatServerEvent) bool { return e.GetHeartbeat().GetSeq() == lastSeq })
	sum := stop()
	// A Down after the client's last heartbeat is the stop, not the pause.
	live := liveness(rec.snapshot(), "pauser")
	live = slices.DeleteFunc(live, func(s string) bool { return s == fmt.Sprintf("down last=%d", lastSeq) })
	if want := []string{fmt.Sprintf("down last=%d", beforePause), fmt.Sprintf("up %d", resumedAt)}; !slices.Equal(live, want) {
		t.Errorf("server saw %v, want %v", live, want)
	}
	up := rec.waitFor(t, "Up", func(e *pb.HeartbeatServerEvent) bool { return e.GetUp() != nil })
	if silent := up.GetUp().GetSilentFor().AsDuration(); silent < deadAfter {
		t.Errorf("up after %v of silence, less than dead_after %v", silent, deadAfter)
	}
	tot := totalsOf(t, sum, "pauser")
	if tot.GetReceived() != lastSeq || tot.GetLost() != 0 || tot.GetTimeDown().AsDuration() <= 0 {
		t.Errorf("totals %v, want %d received, none lost, some time down", tot, lastSeq)
	}
}

func TestServeAndBeatStoppedClientIsDown(t *testing.T) {
	const deadAfter = time.Second
	addr, rec, stop := server(t, deadAfter, 100*time.Millisecond, true)
	beat(t, &pb.HeartbeatClientConfig{Server: addr, Interval: durationpb.New(10 * time.Millisecond), Count: 5, ClientId: "quitter"})

	down := rec.waitFor(t, "Down", func(e *pb.HeartbeatServerEvent) bool { return e.GetDown() != nil })
	if got := down.GetDown(); got.GetClient() != "quitter" || got.GetLastSeq() != 5 {
		t.Errorf("Down %v, want quitter after seq 5", got)
	}
	if at := down.GetTime().AsTime().Sub(down.GetDown().GetLastSeen().AsTime()); at != deadAfter {
		t.Errorf("Down stamped %v after the last heartbeat, want dead_after %v", at, deadAfter)
	}
	sum := stop()
	if live := liveness(rec.snapshot(), "quitter"); !slices.Equal(live, []string{"down last=5"}) {
		t.Errorf("server saw %v, want one Down", live)
	}
	if tot := totalsOf(t, sum, "quitter"); tot.GetReceived() != 5 || tot.GetLost() != 0 || !tot.GetDown() {
		t.Errorf("totals %v, want 5 received, none lost, down", tot)
	}
}

func TestServeReportsInjectedLossExactly(t *testing.T) {
	// A window far longer than the test: gaps stay pending until the stop
	// reports them, whatever the scheduling.
	addr, rec, stop := server(t, time.Minute, time.Minute, true)
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Send times as if sent in seq order: a duplicate or a reordered datagram
	// is an old one, not a restart.
	start := time.Now()
	for _, seq := range []uint64{1, 2, 3, 5, 6, 6, 9, 10, 12, 11} {
		if _, err := conn.Write(AppendHeartbeat(nil, seq, start.Add(time.Duration(seq)*time.Millisecond), "lossy")); err != nil {
			t.Fatal(err)
		}
	}
	for _, junk := range []string{"hello", "Heartbeat x 1"} {
		if _, err := conn.Write([]byte(junk)); err != nil {
			t.Fatal(err)
		}
	}
	ping := fmt.Sprintf("Ping 1 %d.000001", time.Now().Unix())
	if _, err := conn.Write([]byte(ping)); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the ping", func(e *pb.HeartbeatServerEvent) bool {
		return e.GetHeartbeat().GetClient() == conn.LocalAddr().String()
	})
	sum := stop()

	var got []string
	for _, e := range rec.snapshot() {
		switch {
		case e.GetLost() != nil:
			got = append(got, fmt.Sprintf("lost %d-%d", e.GetLost().GetFirstSeq(), e.GetLost().GetLastSeq()))
		case e.GetDuplicate() != nil:
			got = append(got, fmt.Sprintf("dup %d", e.GetDuplicate().GetSeq()))
		case e.GetReordered() != nil:
			got = append(got, fmt.Sprintf("reordered %d after %d", e.GetReordered().GetSeq(), e.GetReordered().GetAfterSeq()))
		case e.GetMalformed() != nil:
			got = append(got, fmt.Sprintf("malformed %q from %s", e.GetMalformed().GetPayload(), e.GetMalformed().GetPeer()))
		}
	}
	from := conn.LocalAddr().String()
	want := []string{"dup 6", "reordered 11 after 12",
		fmt.Sprintf("malformed %q from %s", "hello", from), fmt.Sprintf("malformed %q from %s", "Heartbeat x 1", from),
		"lost 4-4", "lost 7-8"}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	tot := totalsOf(t, sum, "lossy")
	if tot.GetReceived() != 9 || tot.GetLost() != 3 || tot.GetLossPercent() != 25 || tot.GetDuplicates() != 1 || tot.GetReordered() != 1 {
		t.Errorf("totals %v, want 9 received, 3 lost (25%%), 1 duplicate, 1 reordered", tot)
	}
	if totalsOf(t, sum, from).GetReceived() != 1 || sum.GetMalformed() != 2 {
		t.Errorf("summary %v, want the ping's client and 2 malformed", sum)
	}
}

func TestServeWithoutHeartbeatReportsEmitsNothingPerDatagram(t *testing.T) {
	addr, rec, stop := server(t, time.Minute, time.Minute, false)
	events := beat(t, &pb.HeartbeatClientConfig{Server: addr, Interval: durationpb.New(time.Millisecond), Count: 50, ClientId: "quiet"})
	if n := len(events); n != 51 {
		t.Fatalf("client emitted %d events, want 50 Sent and the summary", n)
	}
	// Serve reads what is queued when stopped, so all 50 count.
	if got := totalsOf(t, stop(), "quiet").GetReceived(); got != 50 {
		t.Errorf("received %d of 50", got)
	}
	for _, e := range rec.snapshot() {
		if e.GetReady() == nil && e.GetLog() == nil && e.GetSummary() == nil {
			t.Errorf("unexpected event %v", e)
		}
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  *pb.HeartbeatServerConfig
		want string
	}{
		{"no dead_after", &pb.HeartbeatServerConfig{Listen: "127.0.0.1:0"}, "dead_after must be positive"},
		{"negative window", &pb.HeartbeatServerConfig{Listen: "127.0.0.1:0", DeadAfter: durationpb.New(time.Second), ReorderWindow: durationpb.New(-time.Second)}, "reorder_window"},
		{"bad address", &pb.HeartbeatServerConfig{Listen: "127.0.0.1:99999", DeadAfter: durationpb.New(time.Second)}, "listen on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Serve(context.Background(), tt.cfg, sdk.NewHeartbeatServerEvents(func(*pb.HeartbeatServerEvent) { t.Error("event sent") }))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Serve = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestBeat(t *testing.T) {
	tests := []struct {
		name string
		cfg  *pb.HeartbeatClientConfig
		seqs int
	}{
		{"count", &pb.HeartbeatClientConfig{Interval: durationpb.New(time.Millisecond), Count: 3}, 3},
		{"duration ends it", &pb.HeartbeatClientConfig{Interval: durationpb.New(time.Hour), Count: 3, Duration: durationpb.New(50 * time.Millisecond)}, 1},
		{"stop_after ends it", &pb.HeartbeatClientConfig{Interval: durationpb.New(time.Hour), StopAfter: durationpb.New(50 * time.Millisecond)}, 1},
		{"pause past the end", &pb.HeartbeatClientConfig{Interval: durationpb.New(time.Hour), Count: 2,
			PauseAfter: durationpb.New(time.Hour), PauseFor: durationpb.New(time.Hour), Duration: durationpb.New(50 * time.Millisecond)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			tt.cfg.Server = pc.LocalAddr().String()
			events := beat(t, tt.cfg)
			var seqs []uint64
			for _, e := range events[:len(events)-1] {
				s := e.GetSent()
				if s == nil {
					t.Fatalf("unexpected event %v", e)
				}
				seqs = append(seqs, s.GetSeq())
				buf := make([]byte, 100)
				pc.SetReadDeadline(time.Now().Add(guard))
				n, _, err := pc.ReadFrom(buf)
				if err != nil || string(buf[:n]) != string(s.GetPayload()) {
					t.Fatalf("server read %q (%v), client reports it sent %q", buf[:n], err, s.GetPayload())
				}
			}
			if len(seqs) != tt.seqs || events[len(events)-1].GetSummary().GetSent() != uint64(tt.seqs) {
				t.Errorf("sent %v, summary %v; want %d heartbeats", seqs, events[len(events)-1].GetSummary(), tt.seqs)
			}
		})
	}
}

func TestBeatStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder[*pb.HeartbeatClientEvent]{}
	done := make(chan error, 1)
	go func() {
		done <- Beat(ctx, &pb.HeartbeatClientConfig{Server: "127.0.0.1:9", Interval: durationpb.New(time.Millisecond)}, sdk.NewHeartbeatClientEvents(rec.emit))
	}()
	rec.waitFor(t, "a heartbeat", func(e *pb.HeartbeatClientEvent) bool { return e.GetSent() != nil })
	cancel()
	returned(t, done, "Beat")
	events := rec.snapshot()
	if sum := events[len(events)-1].GetSummary(); sum == nil || sum.GetSent() != uint64(len(events)-1) {
		t.Errorf("last event %v, want a summary of the %d heartbeats", events[len(events)-1], len(events)-1)
	}
}
