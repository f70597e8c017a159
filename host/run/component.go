package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// component is one component during a run.
type component struct {
	lab *lab.Component
	log zerolog.Logger
	cfg proto.Message

	ready chan string   // a server's first Ready address
	done  chan struct{} // closed when its Run stream has ended

	mu         sync.Mutex
	proc       *launch.Process
	link       netLink // a client's link, set before its Run starts
	cancelCall context.CancelFunc
	started    bool
	stopping   bool
	err        error
	address    string
	summary    proto.Message
	events     int
}

func newComponent(c *lab.Component, log zerolog.Logger) *component {
	return &component{
		lab:   c,
		log:   log.With().Str("component", c.Name).Logger(),
		ready: make(chan string, 1),
		done:  make(chan struct{}),
	}
}

func (c *component) setProcess(p *launch.Process) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.proc = p
}

// setErr records the first error; it reports whether this one was first.
func (c *component) setErr(err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return false
	}
	c.err = err
	return true
}

func (c *component) finished() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// serve calls the plugin's Run and relays its events until the stream ends.
func (c *component) serve(r *runner) {
	defer close(c.done)
	callCtx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.cancelCall, c.started = cancel, true
	proc := c.proc
	c.mu.Unlock()
	defer cancel()

	err := c.relay(callCtx, proc.Conn, r.opts.Observe)
	if err == nil {
		err = c.checkEnd()
	}
	if err != nil {
		r.fail(c, err)
	}
}

func (c *component) relay(ctx context.Context, conn *grpc.ClientConn, observe func(Event)) error {
	role := c.lab.Role
	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, role.RunMethod())
	if err == nil {
		err = stream.SendMsg(c.cfg)
	}
	if err == nil {
		err = stream.CloseSend()
	}
	for err == nil {
		ev := role.NewEvent()
		if err = stream.RecvMsg(ev); err != nil {
			break
		}
		kind, body, at := roles.Unpack(ev)
		c.record(kind, body)
		observe(Event{Component: c.lab, Time: at, Kind: kind, Body: body, Raw: ev})
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return c.explain(err)
}

func (c *component) record(kind string, body proto.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events++
	switch kind {
	case "ready":
		if c.address == "" {
			c.address = body.(*pb.Ready).GetAddress()
			c.ready <- lab.Connectable(c.address)
		}
	case "summary":
		c.summary = body
	}
}

// checkEnd judges a Run that returned normally.
func (c *component) checkEnd() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lab.Role.Kind == roles.Server && !c.stopping {
		return c.endedEarlyLocked("while the lab was running")
	}
	if c.summary == nil && !c.stopping {
		return errors.New("ended without its Summary event: a component reports Summary last")
	}
	return nil
}

func (c *component) endedEarly(when string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return c.endedEarlyLocked(when)
}

func (c *component) endedEarlyLocked(when string) error {
	return fmt.Errorf("ended its Run %s: a server runs until the host stops it", when)
}

// explain says what a broken Run stream means for the component.
func (c *component) explain(err error) error {
	c.mu.Lock()
	stopping, proc := c.stopping, c.proc
	c.mu.Unlock()
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.Unimplemented:
		return fmt.Errorf("plugin does not implement the %s role (it serves no %s service)", c.lab.Role.Name, c.lab.Role.Service.FullName())
	case codes.Canceled:
		if stopping {
			return nil // the host cut it off; stop reports why
		}
	case codes.Unavailable, codes.Internal:
		return fmt.Errorf("lost the plugin mid-run: %s", proc.Diagnosis(2*time.Second))
	}
	if proc.Exited() {
		return fmt.Errorf("%s (%s)", st.Message(), proc.Diagnosis(0))
	}
	return fmt.Errorf("Run failed: %s", st.Message())
}

// stop asks a running component to finish, and cuts it off after grace.
func (c *component) stop(grace time.Duration) error {
	c.mu.Lock()
	c.stopping = true
	proc, started, cancel := c.proc, c.started, c.cancelCall
	c.mu.Unlock()
	if !started || c.finished() {
		return nil
	}
	ctx, cancelStop := context.WithTimeout(context.Background(), grace)
	defer cancelStop()
	_ = proc.Conn.Invoke(ctx, c.lab.Role.StopMethod(), &pb.StopRequest{}, &pb.StopReply{})
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
	}
	cancel()
	<-c.done
	return fmt.Errorf("did not stop within %s of being asked: when its context is done, a component closes its socket, reports Summary and returns", grace)
}

func (c *component) kill() {
	c.mu.Lock()
	proc := c.proc
	c.mu.Unlock()
	if proc != nil {
		proc.Kill()
	}
}

func (c *component) result() *ComponentResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := &ComponentResult{Component: c.lab, Address: c.address, Err: c.err, Summary: c.summary, Events: c.events}
	if c.link != nil {
		sum := c.link.Summary()
		res.Link = &sum
	}
	if c.proc != nil {
		res.PID = c.proc.PID
	}
	return res
}
