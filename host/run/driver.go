package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/text"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// driver runs one component's implementation of its role: a plugin process
// that serves the role's gRPC service (pluginDriver), or a plain program
// that knows nothing of socklab (plainDriver).
type driver interface {
	// start prepares it before any component runs: a plugin's process is
	// started and completes its handshake.
	start(ctx context.Context) error
	// run runs the role with cfg and hands each role event to emit until
	// the role's run ends. Ending ctx cuts it off.
	run(ctx context.Context, cfg proto.Message, emit func(proto.Message)) error
	// stop asks a running component to finish soon.
	stop(ctx context.Context)
	// stopFailed is the error for a component still running grace after
	// stop.
	stopFailed(grace time.Duration) error
	// kill ends its processes; it is safe before start and more than once.
	kill()
	// pid is its process (the current one), 0 if there is none.
	pid() int
	// readyTimeout bounds a server's wait for Ready.
	readyTimeout() time.Duration
	// keepsContract reports whether it promises the role's contract (a
	// client ends with Summary); a plain program does only what the lab
	// sheet asks.
	keepsContract() bool
}

// newDriver returns the driver of c's plugin kind.
func (r *runner) newDriver(c *component) driver {
	output := func(l launch.Line) {
		r.opts.Observe(Event{Component: c.lab, Source: FromOutput, Time: l.Time, Kind: l.Stream,
			Body: &pb.Log{Level: logLevel(l.Level), Message: l.Text}})
	}
	if c.lab.Plugin.From == lab.Plain {
		return &plainDriver{lab: c.lab, log: c.log, output: output, contain: r.opts.Contain}
	}
	d := &pluginDriver{lab: c.lab, opts: launch.Options{
		Component: c.lab.Name, Role: c.lab.Role.Name, Spec: launchSpec(c.lab.Plugin),
		Builtin: r.opts.Builtin, Builder: r.opts.Builder, Log: c.log, Output: output,
		Contain: r.opts.Contain, SocketDir: r.sockets,
	}}
	if c.lab.Plugin.From == lab.Builtin {
		d.shared = r.sharing.join(d.opts)
	}
	return d
}

// launchSpec is what package launch needs of a component's plugin block.
func launchSpec(p lab.PluginSpec) launch.Spec {
	s := launch.Spec{WorkDir: p.WorkDir, Env: p.Env, StartTimeout: p.StartTimeout}
	switch p.From {
	case lab.GoSource:
		s.Go = p.Dir
	case lab.Command:
		s.Command = p.Command
	}
	return s
}

// pluginDriver runs a component as a go-plugin process serving the role's
// gRPC service.
type pluginDriver struct {
	lab    *lab.Component
	opts   launch.Options
	shared *sharedProcess // a builtin component's process, shared with others

	mu       sync.Mutex
	proc     *launch.Process
	stopping bool
	released bool
}

func (d *pluginDriver) start(ctx context.Context) error {
	d.opts.Log.Debug().Str("plugin", d.lab.Plugin.String()).Msg("starting plugin")
	var p *launch.Process
	var err error
	if d.shared != nil {
		p, err = d.shared.start(ctx)
	} else {
		p, err = launch.Start(ctx, d.opts)
	}
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.proc = p
	d.mu.Unlock()
	d.opts.Log.Debug().Int("pid", p.PID).Msg("plugin started")
	return nil
}

func (d *pluginDriver) process() *launch.Process {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.proc
}

// run calls the plugin's Run and relays its events until the stream ends.
// The stream's messages are decoded here (relay.go), so that a bad event
// is named rather than losing the plugin.
func (d *pluginDriver) run(ctx context.Context, cfg proto.Message, emit func(proto.Message)) error {
	role := d.lab.Role
	stream, err := d.process().Conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, role.RunMethod(), grpc.ForceCodec(relayCodec{}))
	if err != nil {
		return d.explain(err, "starting its Run call")
	}
	if err := stream.SendMsg(cfg); err != nil {
		return d.explain(err, "sending its settings")
	}
	if err := stream.CloseSend(); err != nil {
		return d.explain(err, "sending its settings")
	}
	var reported badFields
	defer func() {
		if s := reported.summary(); s != "" {
			d.opts.Log.Warn().Msg(s)
		}
	}()
	for {
		var frame rawFrame
		if err := stream.RecvMsg(&frame); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return d.explain(err, "")
		}
		events, bad, err := decodeBatch(role, frame.data)
		for _, b := range reported.note(bad) {
			d.opts.Log.Warn().Msg(b.String())
		}
		for _, ev := range events {
			emit(ev)
		}
		if err != nil {
			return fmt.Errorf("sent a malformed message on its Run stream (%d bytes): %v", len(frame.data), err)
		}
	}
}

// explain says what a broken Run stream means for the component; doing
// is what the host was doing, if not reading events.
func (d *pluginDriver) explain(err error, doing string) error {
	d.mu.Lock()
	stopping, proc := d.stopping, d.proc
	d.mu.Unlock()
	st, _ := status.FromError(err)
	msg := text.Escape(st.Message())
	switch st.Code() {
	case codes.Unimplemented:
		return fmt.Errorf("plugin does not implement the %s role (it serves no %s service)", d.lab.Role.Name, d.lab.Role.Service.FullName())
	case codes.Canceled:
		if stopping {
			return nil // the host cut it off; stop reports why
		}
	case codes.ResourceExhausted:
		return fmt.Errorf("sent a message larger than the host accepts (%s): a batch of events stays under %d bytes", msg, launch.MaxEventMessage)
	}
	if doing != "" {
		msg = doing + ": " + msg
	}
	if st.Code() == codes.Unavailable || proc.Exited(500*time.Millisecond) {
		return fmt.Errorf("lost the plugin mid-run: %s (%s)", msg, proc.Diagnosis(2*time.Second))
	}
	// The plugin is alive: Run returned an error, or its own side of the
	// stream failed (an event it could not send), and the status says why.
	if st.Code() == codes.Internal {
		return fmt.Errorf("Run failed: its side of the stream broke: %s", msg)
	}
	return fmt.Errorf("Run failed: %s", msg)
}

func (d *pluginDriver) stop(ctx context.Context) {
	d.mu.Lock()
	d.stopping = true
	proc := d.proc
	d.mu.Unlock()
	_ = proc.Conn.Invoke(ctx, d.lab.Role.StopMethod(), &pb.StopRequest{}, &pb.StopReply{})
}

func (d *pluginDriver) stopFailed(grace time.Duration) error {
	return fmt.Errorf("did not stop within %s of being asked: when its context is done, a component closes its socket, reports Summary and returns", grace)
}

func (d *pluginDriver) kill() {
	if d.shared != nil {
		d.mu.Lock()
		first := !d.released
		d.released = true
		d.mu.Unlock()
		if first {
			d.shared.release()
		}
		return
	}
	if p := d.process(); p != nil {
		p.Kill()
	}
}

func (d *pluginDriver) pid() int {
	if p := d.process(); p != nil {
		return p.PID
	}
	return 0
}

func (d *pluginDriver) readyTimeout() time.Duration { return d.lab.Plugin.StartTimeout }
func (d *pluginDriver) keepsContract() bool         { return true }
