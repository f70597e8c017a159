package output

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Describe renders one event as a line a student recognises: the lab
// sheet's own wording where it has one, "kind field=value ..." otherwise.
func Describe(role, kind string, body proto.Message) string {
	switch b := body.(type) {
	case *pb.Ready:
		return "ready on " + b.Address
	case *pb.Log:
		return b.Message
	case *pb.PingSent:
		return "sent " + quoted(b.Payload)
	case *pb.PingReply:
		return fmt.Sprintf("reply %s  RTT %s s", quoted(b.Payload), seconds(b.Rtt))
	case *pb.PingTimeout:
		return fmt.Sprintf("ping %d: Request timed out", b.Seq)
	case *pb.PingLate:
		return fmt.Sprintf("late reply to ping %d after %s s: %s", b.Seq, seconds(b.Rtt), quoted(b.Payload))
	case *pb.PingClientSummary:
		s := fmt.Sprintf("%d packets transmitted, %d received, %s%% packet loss", b.Transmitted, b.Received,
			strconv.FormatFloat(b.LossPercent, 'f', -1, 64))
		if b.Received > 0 {
			s += fmt.Sprintf("; rtt min/avg/max/mdev = %s/%s/%s/%s ms", millis(b.RttMin), millis(b.RttAvg), millis(b.RttMax), millis(b.RttMdev))
		}
		return s
	case *pb.PingEcho:
		return fmt.Sprintf("echo %s to %s", quoted(b.Reply), b.Peer)
	case *pb.PingDrop:
		return fmt.Sprintf("drop %s from %s", quoted(b.Request), b.Peer)
	case *pb.PingServerSummary:
		return fmt.Sprintf("received %d, echoed %d, dropped %d", b.Received, b.Echoed, b.Dropped)
	}
	return generic(kind, body)
}

// generic renders any message as "kind field=value ...", fields in the
// order the .proto declares them (Range's order is undefined, and differs
// from one binary to the next).
func generic(kind string, body proto.Message) string {
	parts := []string{kind}
	m := body.ProtoReflect()
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		if fd := fields.Get(i); m.Has(fd) {
			parts = append(parts, string(fd.Name())+"="+fieldText(fd, m.Get(fd)))
		}
	}
	return strings.Join(parts, " ")
}

func fieldText(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch {
	case fd.IsList():
		var items []string
		for i := 0; i < v.List().Len(); i++ {
			items = append(items, scalarText(fd, v.List().Get(i)))
		}
		return "[" + strings.Join(items, " ") + "]"
	case fd.IsMap():
		var items []string
		v.Map().Range(func(k protoreflect.MapKey, e protoreflect.Value) bool {
			items = append(items, k.String()+":"+scalarText(fd.MapValue(), e))
			return true
		})
		sort.Strings(items)
		return "{" + strings.Join(items, " ") + "}"
	}
	return scalarText(fd, v)
}

func scalarText(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.BytesKind:
		return quoted(v.Bytes())
	case protoreflect.StringKind:
		if strings.ContainsAny(v.String(), " \"") {
			return strconv.Quote(v.String())
		}
		return v.String()
	case protoreflect.EnumKind:
		return string(fd.Enum().Values().ByNumber(v.Enum()).Name())
	case protoreflect.MessageKind:
		switch msg := v.Message().Interface().(type) {
		case *durationpb.Duration:
			return msg.AsDuration().String()
		case *timestamppb.Timestamp:
			return msg.AsTime().Format(time.RFC3339Nano)
		default:
			return "{" + generic("", msg)[1:] + "}"
		}
	}
	return v.String()
}

// quoted shows a payload as text, escaping what is not printable, cut at
// a length that fits a line.
func quoted(b []byte) string {
	const max = 80
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + fmt.Sprintf("...(%d bytes)", len(b))
	}
	return strconv.Quote(string(b))
}

func seconds(d *durationpb.Duration) string {
	return strconv.FormatFloat(d.AsDuration().Seconds(), 'f', 6, 64)
}

func millis(d *durationpb.Duration) string {
	return strconv.FormatFloat(float64(d.AsDuration().Microseconds())/1000, 'f', 3, 64)
}
