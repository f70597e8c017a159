// Command plugin is a hostile ping client: it speaks the plugin protocol
// but writes its Run stream's messages itself, so that it can send what
// no SDK would: strings that are not UTF-8, terminal escapes, malformed
// or oversized messages, floods, impossible dates and values, and
// processes that try to outlive the run. HOSTILE_MODE says which.
package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/internal/goplugin"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// frame is a message sent as it is.
type frame []byte

// codec sends frames as they are and everything else as protobuf.
type codec struct{}

func (codec) Name() string { return "proto" }
func (codec) Marshal(v any) ([]byte, error) {
	if f, ok := v.(frame); ok {
		return f, nil
	}
	return proto.Marshal(v.(proto.Message))
}
func (codec) Unmarshal(data []byte, v any) error { return proto.Unmarshal(data, v.(proto.Message)) }

type hostile struct {
	plugin.NetRPCUnsupportedPlugin
	mu   sync.Mutex
	stop context.CancelFunc
}

func (h *hostile) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

func (h *hostile) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&grpc.ServiceDesc{
		ServiceName: "socklab.v1.PingClient",
		HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{{StreamName: "Run", ServerStreams: true, Handler: func(_ any, stream grpc.ServerStream) error {
			var cfg pb.PingClientConfig
			if err := stream.RecvMsg(&cfg); err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(stream.Context())
			h.mu.Lock()
			h.stop = cancel
			h.mu.Unlock()
			return run(ctx, &cfg, os.Getenv("HOSTILE_MODE"), func(f frame) error { return stream.SendMsg(f) })
		}}},
		Methods: []grpc.MethodDesc{{MethodName: "Stop", Handler: func(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			var req pb.StopRequest
			if err := dec(&req); err != nil {
				return nil, err
			}
			h.mu.Lock()
			if h.stop != nil {
				h.stop()
			}
			h.mu.Unlock()
			return &pb.StopReply{}, nil
		}}},
	}, struct{}{})
	return nil
}

func event(at time.Time, ev *pb.PingClientEvent) *pb.PingClientEvent {
	ev.Time = timestamppb.New(at)
	return ev
}

func logEvent(msg string) *pb.PingClientEvent {
	return event(time.Now(), &pb.PingClientEvent{Event: &pb.PingClientEvent_Log{Log: &pb.Log{Level: pb.Log_LEVEL_INFO, Message: msg}}})
}

func summary() *pb.PingClientEvent {
	return event(time.Now(), &pb.PingClientEvent{Event: &pb.PingClientEvent_Summary{Summary: &pb.PingClientSummary{Transmitted: 1, LossPercent: 100}}})
}

// ping sends the one ping its Summary reports, so that the run judges it
// a client that did its part.
func ping(cfg *pb.PingClientConfig) {
	c, err := net.Dial("udp", cfg.GetServer())
	if err != nil {
		return
	}
	defer c.Close()
	fmt.Fprintf(c, "Ping 1 %d", time.Now().Unix())
}

func batch(evs ...*pb.PingClientEvent) frame {
	data, err := proto.Marshal(&pb.PingClientBatch{Events: evs})
	if err != nil {
		panic(err)
	}
	return data
}

// withBytes is a batch of one log whose message is raw (any bytes): it is
// marshalled with a placeholder of the same length, then swapped.
func withBytes(raw string) frame {
	placeholder := make([]byte, len(raw))
	for i := range placeholder {
		placeholder[i] = 'Q'
	}
	data := batch(logEvent(string(placeholder)))
	for i := 0; i+len(raw) <= len(data); i++ {
		if string(data[i:i+len(raw)]) == string(placeholder) {
			copy(data[i:], raw)
			break
		}
	}
	return data
}

func run(ctx context.Context, cfg *pb.PingClientConfig, mode string, send func(frame) error) error {
	ping(cfg)
	switch mode {
	case "utf8":
		fmt.Fprintln(os.Stderr, "\x1b[2Jstderr escapes \x1b]0;title\x07")
		time.Sleep(100 * time.Millisecond) // shown before the lab ends
		for i := range 3 {
			if err := send(withBytes(fmt.Sprintf("GET /\xff\xfe%d \x1b]0;owned\x07\x1b[2J", i))); err != nil {
				return err
			}
		}
	case "malformed":
		return send(frame{0x0a, 0x05, 0xff, 0xff})
	case "oversized":
		return send(batch(logEvent(string(make([]byte, 5<<20)))))
	case "flood":
		seconds, _ := strconv.Atoi(os.Getenv("HOSTILE_SECONDS"))
		line := fmt.Sprintf("%0100d", 0)
		evs := make([]*pb.PingClientEvent, 1000)
		for i := range evs {
			evs[i] = logEvent(line)
		}
		for end := time.Now().Add(time.Duration(seconds) * time.Second); time.Now().Before(end) && ctx.Err() == nil; {
			if err := send(batch(evs...)); err != nil {
				return err
			}
		}
	case "dates":
		future := event(time.Now().Add(24*time.Hour), &pb.PingClientEvent{Event: &pb.PingClientEvent_Log{Log: &pb.Log{Message: "from the future"}}})
		absurd := &pb.PingClientEvent{Time: &timestamppb.Timestamp{Seconds: math.MinInt64 / 2}, Event: &pb.PingClientEvent_Log{Log: &pb.Log{Message: "from no time at all"}}}
		if err := send(batch(future, absurd)); err != nil {
			return err
		}
	case "two-summaries":
		if err := send(batch(summary())); err != nil {
			return err
		}
	case "negative":
		s := summary()
		s.GetSummary().LossPercent = -5
		return send(batch(s))
	case "empty":
		return send(batch(&pb.PingClientEvent{Time: timestamppb.Now()}))
	case "setsid":
		// A child in a session of its own, a grandchild left behind by a
		// shell that exits, and one that ignores every polite signal.
		cmd := exec.Command("sh", "-c", `setsid sleep 300 & (sleep 301 &) ; trap "" TERM HUP INT; setsid sh -c 'trap "" TERM HUP INT; sleep 302' & sleep 303`)
		if err := cmd.Start(); err != nil {
			return err
		}
		wait := 500 * time.Millisecond
		if s, err := strconv.Atoi(os.Getenv("HOSTILE_SECONDS")); err == nil {
			wait = time.Duration(s) * time.Second
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	return send(batch(summary()))
}

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: goplugin.Handshake(),
		Plugins:         plugin.PluginSet{"ping_client": &hostile{}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, grpc.ForceServerCodec(codec{}))...)
		},
	})
}
