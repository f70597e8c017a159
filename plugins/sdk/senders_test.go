package sdk

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// senders builds each service's event sender around record, by the
// service's full name. A service of the protocol missing here fails
// TestEveryProtoEventHasASender.
var senders = map[protoreflect.FullName]func(record func(proto.Message)) any{
	"socklab.v1.PingServer": func(r func(proto.Message)) any {
		return NewPingServerEvents(func(e *pb.PingServerEvent) { r(e) })
	},
	"socklab.v1.PingClient": func(r func(proto.Message)) any {
		return NewPingClientEvents(func(e *pb.PingClientEvent) { r(e) })
	},
	"socklab.v1.HeartbeatServer": func(r func(proto.Message)) any {
		return NewHeartbeatServerEvents(func(e *pb.HeartbeatServerEvent) { r(e) })
	},
	"socklab.v1.HeartbeatClient": func(r func(proto.Message)) any {
		return NewHeartbeatClientEvents(func(e *pb.HeartbeatClientEvent) { r(e) })
	},
	"socklab.v1.WebServer": func(r func(proto.Message)) any {
		return NewWebServerEvents(func(e *pb.WebServerEvent) { r(e) })
	},
	"socklab.v1.WebClient": func(r func(proto.Message)) any {
		return NewWebClientEvents(func(e *pb.WebClientEvent) { r(e) })
	},
}

// senderMethods are the methods that send an event kind: the kind in
// Go's spelling ("ready" by Ready), and Logf and Warnf for "log".
func senderMethods(kind string) []string {
	if kind == "log" {
		return []string{"Logf", "Warnf"}
	}
	var b strings.Builder
	for part := range strings.SplitSeq(kind, "_") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return []string{b.String()}
}

// TestEveryProtoEventHasASender walks every service of the protocol's
// .proto files that streams events and calls, for each kind of its event
// oneof, the typed sender's method, which must send an event of that kind.
func TestEveryProtoEventHasASender(t *testing.T) {
	services := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("socklab.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			sd := fd.Services().Get(i)
			run := sd.Methods().ByName("Run")
			if run == nil {
				continue
			}
			services++
			newSender, ok := senders[sd.FullName()]
			if !ok {
				t.Errorf("%s: the Go SDK has no event sender for this service", sd.FullName())
				continue
			}
			event := run.Output().Fields().ByName("events").Message()
			oneof := event.Oneofs().ByName("event")
			for j := 0; j < oneof.Fields().Len(); j++ {
				kind := string(oneof.Fields().Get(j).Name())
				for _, name := range senderMethods(kind) {
					var got []proto.Message
					sender := reflect.ValueOf(newSender(func(m proto.Message) { got = append(got, m) }))
					method := sender.MethodByName(name)
					if !method.IsValid() {
						t.Errorf("%s event %q: %s has no method %s", sd.FullName(), kind, sender.Type(), name)
						continue
					}
					method.Call(zeroArgs(method.Type()))
					if len(got) != 1 {
						t.Errorf("%s.%s sent %d events, want 1", sender.Type(), name, len(got))
						continue
					}
					if k, _, _ := roles.Unpack(got[0]); k != kind {
						t.Errorf("%s.%s sent a %q event, want %q", sender.Type(), name, k, kind)
					}
				}
			}
		}
		return true
	})
	if services < len(roles.Sheet().All()) {
		t.Fatalf("walked %d services, fewer than the %d roles: the descriptors are not registered", services, len(roles.Sheet().All()))
	}
}

// zeroArgs gives a method its parameters: zero values, a new value for a
// pointer, no variadic arguments.
func zeroArgs(mt reflect.Type) []reflect.Value {
	n := mt.NumIn()
	if mt.IsVariadic() {
		n--
	}
	args := make([]reflect.Value, n)
	for i := range args {
		in := mt.In(i)
		if in.Kind() == reflect.Pointer {
			args[i] = reflect.New(in.Elem())
		} else {
			args[i] = reflect.Zero(in)
		}
	}
	return args
}

func TestHeartbeatSenders(t *testing.T) {
	var got []proto.Message
	record := func(m proto.Message) { got = append(got, m) }
	srv := senders["socklab.v1.HeartbeatServer"](record).(*HeartbeatServerEvents)
	srv.Duplicate("a", 3)
	srv.Reordered("a", 4, 6)
	srv.Restart("b", 1, 90)
	srv.Malformed("127.0.0.1:5", make([]byte, 300), "missing time")
	cli := senders["socklab.v1.HeartbeatClient"](record).(*HeartbeatClientEvents)
	cli.Paused(1500 * time.Millisecond)
	cli.Resumed(12)
	want := []proto.Message{
		&pb.HeartbeatDuplicate{Client: "a", Seq: 3},
		&pb.HeartbeatReordered{Client: "a", Seq: 4, AfterSeq: 6},
		&pb.HeartbeatRestart{Client: "b", Seq: 1, PreviousSeq: 90},
		&pb.HeartbeatMalformed{Peer: "127.0.0.1:5", Payload: make([]byte, 256), Reason: "missing time"},
		&pb.HeartbeatPaused{PauseFor: durationpb.New(1500 * time.Millisecond)},
		&pb.HeartbeatResumed{NextSeq: 12},
	}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i, ev := range got {
		if _, body, _ := roles.Unpack(ev); !proto.Equal(body, want[i]) {
			t.Errorf("event %d: %v, want %v", i, body, want[i])
		}
	}
}
