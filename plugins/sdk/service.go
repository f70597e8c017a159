package sdk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// outboxSize is how many events may wait for the gRPC stream before emitting
// blocks: enough to ride out a slow host without stalling socket loops.
const outboxSize = 4096

// flushEvery is the pause between bursts of events sent to the host.
const flushEvery = 2 * time.Millisecond

// service implements any role's gRPC service (Run and Stop) around the
// author's run function. C and E are the role's config and event messages.
type service[C, E any, PE interface {
	*E
	proto.Message
}] struct {
	run func(ctx context.Context, cfg *C, send func(PE)) error

	mu      sync.Mutex
	stop    context.CancelFunc
	stopped bool
}

// Run calls the author's function once, streaming its events to the host.
func (s *service[C, E, PE]) Run(cfg *C, stream grpc.ServerStreamingServer[E]) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	if err := s.begin(cancel); err != nil {
		return err
	}
	out := newOutbox[E, PE](stream, cancel)
	go out.pump()
	err := s.call(ctx, cfg, out.send)
	sendErr := out.finish()
	drainStdio(stdioDrainLimit)
	if err != nil && !(s.wasStopped() && errors.Is(err, context.Canceled)) {
		return status.Error(codes.Unknown, err.Error())
	}
	return sendErr
}

// Stop cancels the context of a running Run (or of the next one).
func (s *service[C, E, PE]) Stop(context.Context, *pb.StopRequest) (*pb.StopReply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.stop != nil {
		s.stop()
	}
	return &pb.StopReply{}, nil
}

func (s *service[C, E, PE]) begin(cancel context.CancelFunc) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return status.Error(codes.FailedPrecondition, "Run was already called: a plugin process runs one component")
	}
	s.stop = cancel
	if s.stopped {
		cancel()
	}
	return nil
}

func (s *service[C, E, PE]) wasStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// call runs the author's function, turning a panic into an error that names
// where it happened, so the host can show it under the component's name.
func (s *service[C, E, PE]) call(ctx context.Context, cfg *C, send func(PE)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := debug.Stack()
			fmt.Fprintf(os.Stderr, "panic: %v\n%s", r, stack)
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.run(ctx, cfg, send)
}

// outbox decouples the author's socket loop from the gRPC stream.
type outbox[E any, PE interface {
	*E
	proto.Message
}] struct {
	stream grpc.ServerStreamingServer[E]
	cancel context.CancelFunc
	events chan PE
	done   chan struct{} // closed when the author's function returned
	pumped chan struct{} // closed when pump has sent everything
	err    error
}

func newOutbox[E any, PE interface {
	*E
	proto.Message
}](stream grpc.ServerStreamingServer[E], cancel context.CancelFunc) *outbox[E, PE] {
	return &outbox[E, PE]{
		stream: stream,
		cancel: cancel,
		events: make(chan PE, outboxSize),
		done:   make(chan struct{}),
		pumped: make(chan struct{}),
	}
}

// send stamps ev and queues it. Once the host has gone, or the author's
// function has returned, events are dropped rather than blocking.
func (o *outbox[E, PE]) send(ev PE) {
	roles.Stamp(ev, time.Now())
	select {
	case o.events <- ev:
	case <-o.done:
	case <-o.stream.Context().Done():
	}
}

// pump forwards events in bursts: after sending what is queued it pauses
// for flushEvery, so that events accumulate and gRPC writes them together,
// and a socket loop emitting an event per packet does not wake the sender
// (and the host) once per packet. Events reach the host at most
// flushEvery late.
func (o *outbox[E, PE]) pump() {
	defer close(o.pumped)
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case ev := <-o.events:
			o.forward(ev)
			o.drain()
		case <-o.done:
			o.drain()
			return
		}
		pause.Reset(flushEvery)
		select {
		case <-pause.C:
		case <-o.done:
		}
	}
}

// drain forwards every event already queued.
func (o *outbox[E, PE]) drain() {
	for {
		select {
		case ev := <-o.events:
			o.forward(ev)
		default:
			return
		}
	}
}

func (o *outbox[E, PE]) forward(ev PE) {
	if o.err != nil {
		return
	}
	if err := o.stream.Send((*E)(ev)); err != nil {
		o.err = fmt.Errorf("sending event to host: %w", err)
		o.cancel()
	}
}

// finish waits until every queued event is sent and reports a send failure.
func (o *outbox[E, PE]) finish() error {
	close(o.done)
	<-o.pumped
	return o.err
}

// base holds what every role's event sender has.
type base[PE proto.Message] struct {
	send func(PE)
	log  func(*pb.Log) PE
}

// Send sends an event built by hand.
func (b base[PE]) Send(ev PE) { b.send(ev) }

// Logf sends a line the host shows under the component's name.
func (b base[PE]) Logf(format string, args ...any) {
	b.send(b.log(&pb.Log{Level: pb.Log_LEVEL_INFO, Message: fmt.Sprintf(format, args...)}))
}

// Warnf is Logf at warning level.
func (b base[PE]) Warnf(format string, args ...any) {
	b.send(b.log(&pb.Log{Level: pb.Log_LEVEL_WARN, Message: fmt.Sprintf(format, args...)}))
}

// registrar returns the function that registers a role's gRPC service
// around run: desc is the role's generated service description and newOut
// builds the author's typed event sender.
func registrar[C, E any, PE interface {
	*E
	proto.Message
}, O any](desc *grpc.ServiceDesc, newOut func(send func(PE)) O, run func(context.Context, *C, O) error) func(*grpc.Server) {
	return func(s *grpc.Server) {
		s.RegisterService(desc, &service[C, E, PE]{
			run: func(ctx context.Context, cfg *C, send func(PE)) error {
				return run(ctx, cfg, newOut(send))
			},
		})
	}
}
