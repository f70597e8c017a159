package sdk

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// earlyServer is a ping server registered as Serve registers it, on a real
// gRPC server over loopback, and a client for it.
func earlyServer(t *testing.T, impl PingServer) (registration, pb.PingServerClient) {
	t.Helper()
	reg := registerPingServer(impl)
	return reg, pb.NewPingServerClient(serveRegistered(t, reg))
}

// readyThenWait reports Ready with its settings' address at once, then
// waits for its context; calls counts its runs, cancelled those that
// ended by cancellation, and ready gets a value once a run has sent Ready.
type readyThenWait struct {
	calls, cancelled atomic.Int32
	ready            chan struct{}
}

func newReadyThenWait() *readyThenWait { return &readyThenWait{ready: make(chan struct{}, 2)} }

func (r *readyThenWait) Run(ctx context.Context, cfg *pb.PingServerConfig, out *PingServerEvents) error {
	r.calls.Add(1)
	out.Ready(cfg.Listen)
	r.ready <- struct{}{}
	<-ctx.Done()
	r.cancelled.Add(1)
	return ctx.Err()
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstEvent starts a Run call with cfg and returns its first event; stop
// ends the call.
func firstEvent(t *testing.T, c pb.PingServerClient, cfg *pb.PingServerConfig) (ev *pb.PingServerEvent, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := c.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	return batch.Events[0], cancel
}

func TestEarlyRunIsTakenOverByItsRunCall(t *testing.T) {
	impl := newReadyThenWait()
	reg, c := earlyServer(t, impl)
	if err := reg.early(marshal(t, &pb.PingServerConfig{Listen: "early:1"})); err != nil {
		t.Fatal(err)
	}
	<-impl.ready
	called := time.Now()
	ev, stop := firstEvent(t, c, &pb.PingServerConfig{Listen: "early:1"})
	defer stop()
	if got := ev.GetReady().GetAddress(); got != "early:1" {
		t.Fatalf("first event %v, want Ready at early:1", ev)
	}
	if at := ev.GetTime().AsTime(); at.After(called) {
		t.Errorf("Ready dated %v, after the call (%v): want the time the early run sent it", at, called)
	}
	if n := impl.calls.Load(); n != 1 {
		t.Errorf("the author's function ran %d times, want once", n)
	}
}

func TestRunWithOtherSettingsStopsTheEarlyRun(t *testing.T) {
	impl := newReadyThenWait()
	reg, c := earlyServer(t, impl)
	if err := reg.early(marshal(t, &pb.PingServerConfig{Listen: "early:1"})); err != nil {
		t.Fatal(err)
	}
	ev, stop := firstEvent(t, c, &pb.PingServerConfig{Listen: "called:2"})
	defer stop()
	if got := ev.GetReady().GetAddress(); got != "called:2" {
		t.Fatalf("first event %v, want the call's own Ready at called:2 (the early run's events are dropped)", ev)
	}
	if calls, cancelled := impl.calls.Load(), impl.cancelled.Load(); calls != 2 || cancelled != 1 {
		t.Errorf("%d runs, %d cancelled: want the early one cancelled and the call's own running", calls, cancelled)
	}
}

// An early run stopped by a call with other settings ends even if it
// sends more than its outbox holds once stopped.
func TestEarlyRunOfOtherSettingsEndsWhateverItSends(t *testing.T) {
	ended := make(chan struct{})
	reg, c := earlyServer(t, PingServerFunc(func(ctx context.Context, cfg *pb.PingServerConfig, out *PingServerEvents) error {
		if cfg.Listen == "early:1" {
			defer close(ended)
			<-ctx.Done()
			for range 2 * outboxSize {
				out.Logf("still here")
			}
			return ctx.Err()
		}
		out.Ready(cfg.Listen)
		<-ctx.Done()
		return nil
	}))
	if err := reg.early(marshal(t, &pb.PingServerConfig{Listen: "early:1"})); err != nil {
		t.Fatal(err)
	}
	ev, stop := firstEvent(t, c, &pb.PingServerConfig{Listen: "called:2"})
	defer stop()
	if got := ev.GetReady().GetAddress(); got != "called:2" {
		t.Fatalf("first event %v, want the call's own Ready", ev)
	}
	<-ended
}

func TestStopBeforeTheRunCallEndsTheEarlyRun(t *testing.T) {
	impl := newReadyThenWait()
	reg, c := earlyServer(t, impl)
	if err := reg.early(marshal(t, &pb.PingServerConfig{Listen: "early:1"})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stop(context.Background(), &pb.StopRequest{}); err != nil {
		t.Fatal(err)
	}
	stream, err := c.Run(context.Background(), &pb.PingServerConfig{Listen: "early:1"})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*pb.PingServerEvent
	for {
		batch, err := stream.Recv()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("the stopped run ended with %v, want its events and no error", err)
			}
			break
		}
		evs = append(evs, batch.Events...)
	}
	if len(evs) != 1 || evs[0].GetReady().GetAddress() != "early:1" {
		t.Errorf("events %v, want the early run's Ready", evs)
	}
	if impl.cancelled.Load() != 1 {
		t.Error("the early run was not cancelled by Stop")
	}
}

func TestRunCallFirstLeavesNothingToStartEarly(t *testing.T) {
	impl := newReadyThenWait()
	reg, c := earlyServer(t, impl)
	_, stop := firstEvent(t, c, &pb.PingServerConfig{Listen: "called:2"})
	defer stop()
	if err := reg.early(marshal(t, &pb.PingServerConfig{Listen: "early:1"})); err != nil {
		t.Fatalf("starting early after the call: %v, want nothing done and no error", err)
	}
	if n := impl.calls.Load(); n != 1 {
		t.Errorf("the author's function ran %d times, want once (the call's)", n)
	}
}

func TestStartEarly(t *testing.T) {
	var started []string
	start := func(name string, err error) earlyStart {
		return func(settings []byte) error {
			if err == nil {
				started = append(started, name+"="+string(settings))
			}
			return err
		}
	}
	starts := map[string]earlyStart{"a": start("a", nil), "b": start("b", errors.New("bad settings"))}
	got := startEarly(starts, "a=eA,b=eA,c=eA") // "x" in base64url, for each
	if len(started) != 1 || started[0] != "a=x" || len(got) != 1 || !got["a"] {
		t.Errorf("started %v (reported %v), want a alone (b failed, c is not served)", started, got)
	}
	if got := startEarly(starts, "not-a-pair"); len(got) != 0 {
		t.Errorf("a malformed value started %v", got)
	}
}
