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

	"github.com/socklab/socklab/internal/goplugin"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"github.com/socklab/socklab/proto/utf8text"
)

const (
	// outboxSize is how many events may wait for the gRPC stream before
	// emitting blocks: enough to ride out a slow host without stalling
	// socket loops.
	outboxSize = 4096
	// flushEvery is the pause between batches of events sent to the host.
	flushEvery = 2 * time.Millisecond
	// batchBytes bounds a batch, well under gRPC's 4 MiB message limit.
	batchBytes = 1 << 20
	// hostMessageLimit is the largest message the host receives
	// (host/launch); a single event larger than it cannot be sent.
	hostMessageLimit = 64 << 20
)

// service implements any role's gRPC service (Run and Stop) around the
// author's run function. C is the role's config message, B the batch Run
// streams and E (a pointer) its event.
type service[C, B any, E proto.Message] struct {
	run   func(ctx context.Context, cfg *C, send func(E)) error
	batch func([]E) *B

	mu      sync.Mutex
	stop    context.CancelFunc
	stopped bool
	early   *earlyRun[C, B, E] // started before its Run call (early.go)
}

// Run calls the author's function once, streaming its events to the host.
func (s *service[C, B, E]) Run(cfg *C, stream grpc.ServerStreamingServer[B]) error {
	if e := s.takeEarly(cfg); e != nil {
		defer e.cancel()
		stop := context.AfterFunc(stream.Context(), e.cancel)
		defer stop()
		e.out.attach(stream)
		<-e.ended
		return s.end(e.out, e.err)
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	if err := s.begin(cancel, nil); err != nil {
		return err
	}
	out := newOutbox(s.batch, cancel)
	out.attach(stream)
	return s.end(out, s.call(ctx, cfg, out.send))
}

// end waits until out has sent everything and returns the call's status:
// a failed send, else what the author's function returned.
func (s *service[C, B, E]) end(out *outbox[B, E], err error) error {
	sendErr := out.finish()
	drainStdio(stdioDrainLimit)
	if sendErr != nil {
		// The failed send cancelled the run: it is the cause, whatever the
		// author's function returned after it.
		fmt.Fprintf(os.Stderr, "socklab plugin: %v\n", sendErr)
		return status.Error(codes.Aborted, sendErr.Error())
	}
	if err != nil && !(s.wasStopped() && errors.Is(err, context.Canceled)) {
		return status.Error(codes.Unknown, err.Error())
	}
	return nil
}

// Stop cancels the context of a running Run (or of the next one).
func (s *service[C, B, E]) Stop(context.Context, *pb.StopRequest) (*pb.StopReply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.stop != nil {
		s.stop()
	}
	return &pb.StopReply{}, nil
}

// begin records the start of the process's run of the role, which cancel
// ends, and the early run it is, if it is one.
func (s *service[C, B, E]) begin(cancel context.CancelFunc, early *earlyRun[C, B, E]) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return status.Error(codes.FailedPrecondition, "Run was already called: a plugin process runs one component")
	}
	s.stop, s.early = cancel, early
	if s.stopped {
		cancel()
	}
	return nil
}

func (s *service[C, B, E]) wasStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// call runs the author's function, turning a panic into an error that names
// where it happened, so the host can show it under the component's name.
func (s *service[C, B, E]) call(ctx context.Context, cfg *C, send func(E)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := debug.Stack()
			fmt.Fprintf(os.Stderr, "panic: %v\n%s", r, stack)
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.run(ctx, cfg, send)
}

// outbox decouples the author's socket loop from the gRPC stream: events
// wait in a channel and go to the host in batches.
type outbox[B any, E proto.Message] struct {
	stream grpc.ServerStreamingServer[B] // set by attach
	batch  func([]E) *B
	cancel context.CancelFunc
	events chan E
	done   chan struct{} // closed when the author's function returned
	pumped chan struct{} // closed when pump has sent everything
	gone   chan struct{} // closed when the stream has ended
	err    error
	text   utf8text.Repairer // pump's alone
}

func newOutbox[B any, E proto.Message](batch func([]E) *B, cancel context.CancelFunc) *outbox[B, E] {
	return &outbox[B, E]{
		batch:  batch,
		cancel: cancel,
		events: make(chan E, outboxSize),
		done:   make(chan struct{}),
		pumped: make(chan struct{}),
		gone:   make(chan struct{}),
	}
}

// attach sends to stream what is queued and what follows.
func (o *outbox[B, E]) attach(stream grpc.ServerStreamingServer[B]) {
	o.stream = stream
	context.AfterFunc(stream.Context(), func() { close(o.gone) })
	go o.pump()
}

// send stamps ev and queues it. Once the host has gone, or the author's
// function has returned, events are dropped rather than blocking.
func (o *outbox[B, E]) send(ev E) {
	roles.Stamp(ev, time.Now())
	select {
	case o.events <- ev:
	case <-o.done:
	case <-o.gone:
	}
}

// pump sends what is queued as one batch (or a few, if it is large), then
// pauses for flushEvery so that events gather: a socket loop emitting an
// event per packet then costs the host one message per pause, not one per
// packet, and neither the sender nor the host is woken per packet. Events
// reach the host at most flushEvery late.
func (o *outbox[B, E]) pump() {
	defer close(o.pumped)
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case ev := <-o.events:
			o.drain(ev)
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

// drain sends first and every event already queued, in batches. Each
// event's text is made valid UTF-8 here, off the author's socket loop: a
// message with an invalid string cannot be sent at all.
func (o *outbox[B, E]) drain(first ...E) {
	pending, size := first, 0
	for _, ev := range first {
		size += o.check(ev)
	}
	for {
		select {
		case ev := <-o.events:
			pending = append(pending, ev)
			if size += o.check(ev); size < batchBytes {
				continue
			}
		default:
			o.forward(pending)
			return
		}
		o.forward(pending)
		pending, size = nil, 0
	}
}

// check repairs ev's text and returns its size; an event too large for the
// host fails the run, naming the event, before anything tries to send it.
func (o *outbox[B, E]) check(ev E) int {
	o.text.Repair(ev)
	size := goplugin.Size(ev)
	if size > hostMessageLimit && o.err == nil {
		kind, _, _ := roles.Unpack(ev)
		o.fail(fmt.Errorf("event %q of %d bytes is over the %d bytes a message to the host may have", kind, size, hostMessageLimit))
	}
	return size
}

func (o *outbox[B, E]) forward(evs []E) {
	if o.err != nil || len(evs) == 0 {
		return
	}
	if err := o.stream.Send(o.batch(evs)); err != nil {
		if cause := context.Cause(o.stream.Context()); cause != nil {
			err = fmt.Errorf("%w (the host ended the call: %v)", err, cause)
		}
		o.fail(err)
	}
}

// fail records why events can no longer be sent and ends the run.
func (o *outbox[B, E]) fail(err error) {
	o.err = fmt.Errorf("sending events to host: %w", err)
	o.cancel()
}

// discard drops what is queued and what follows, in an outbox never
// attached to a stream: sending never blocks.
func (o *outbox[B, E]) discard() { close(o.done) }

// finish waits until every queued event is sent and reports a send failure.
func (o *outbox[B, E]) finish() error {
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

// registration is a role's service as Serve needs it.
type registration struct {
	register func(*grpc.Server)
	early    earlyStart // starts it before its Run call
}

// registrar returns the registration of a role's gRPC service around run:
// desc is the role's generated service description, newOut builds the
// author's typed event sender and batch wraps events for Run's stream.
func registrar[C, B any, E proto.Message, O any](desc *grpc.ServiceDesc, newOut func(send func(E)) O,
	batch func([]E) *B, run func(context.Context, *C, O) error) registration {
	svc := &service[C, B, E]{
		batch: batch,
		run: func(ctx context.Context, cfg *C, send func(E)) error {
			return run(ctx, cfg, newOut(send))
		},
	}
	return registration{register: func(s *grpc.Server) { s.RegisterService(desc, svc) }, early: svc.startEarly}
}
