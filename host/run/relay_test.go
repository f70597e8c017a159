package run

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// wire marshals a batch, then swaps placeholder for raw bytes of the same
// length: a way to write what a broken plugin sends.
func wire(t *testing.T, batch proto.Message, placeholder, raw string) []byte {
	t.Helper()
	data, err := proto.Marshal(batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(placeholder) != len(raw) || !bytes.Contains(data, []byte(placeholder)) {
		t.Fatal("bad placeholder")
	}
	return bytes.ReplaceAll(data, []byte(placeholder), []byte(raw))
}

func TestDecodeBatch(t *testing.T) {
	role := roles.WebServer()
	now := timestamppb.Now()
	batch := &pb.WebServerBatch{Events: []*pb.WebServerEvent{
		{Time: now, Event: &pb.WebServerEvent_Log{Log: &pb.Log{Message: "fine"}}},
		{Time: now, Event: &pb.WebServerEvent_Log{Log: &pb.Log{Message: "GET /PLACEHOLDER1"}}},
	}}
	data := wire(t, batch, "PLACEHOLDER1", "\xff\xfe\x1b[2J\xc3(1234")

	events, bad, err := decodeBatch(role, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || len(bad) != 1 {
		t.Fatalf("%d events, bad %v", len(events), bad)
	}
	if got := events[1].(*pb.WebServerEvent).GetLog().GetMessage(); got != `GET /\xff\xfe\x1b[2J\xc3(1234` {
		t.Errorf("escaped message %q", got)
	}
	if b := bad[0]; b.kind != "log" || b.field != "log.message" || !strings.Contains(b.String(), `field log.message was not valid UTF-8`) {
		t.Errorf("bad field %+v: %s", b, b)
	}

	// A batch that is not one fails, naming why.
	for name, data := range map[string][]byte{
		"cut short":   data[:len(data)-3],
		"not a batch": {0xff, 0xff, 0xff},
		"bad event":   {0x0a, 0x02, 0xff, 0xff},
	} {
		if _, _, err := decodeBatch(role, data); err == nil {
			t.Errorf("%s: decoded", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestBadFieldsToldOnce(t *testing.T) {
	var s badFields
	b := badField{kind: "log", field: "log.message"}
	if len(s.note([]badField{b})) != 1 || len(s.note([]badField{b, b})) != 0 {
		t.Fatal("a field is told once")
	}
	if got := s.summary(); !strings.HasPrefix(got, "3 strings in all") {
		t.Errorf("summary %q", got)
	}
}

func TestWhen(t *testing.T) {
	start := time.Now()
	received := start.Add(2 * time.Second)
	ev := func(ts *timestamppb.Timestamp) proto.Message { return &pb.PingClientEvent{Time: ts} }
	tests := []struct {
		name string
		ev   proto.Message
		want time.Time
		note string
	}{
		{"within the run", ev(timestamppb.New(start.Add(time.Second))), start.Add(time.Second), ""},
		{"unset", ev(nil), received, ""},
		{"future", ev(timestamppb.New(received.Add(time.Hour))), received, "in the future"},
		{"before the run", ev(timestamppb.New(start.Add(-time.Hour))), received, "before the run started"},
		{"absurd", ev(&timestamppb.Timestamp{Seconds: math.MinInt64}), received, "invalid time"},
	}
	for _, tt := range tests {
		at, note := when(tt.ev, start, received)
		if !at.Equal(tt.want) || !strings.Contains(note, tt.note) || (tt.note == "") != (note == "") {
			t.Errorf("%s: %v %q", tt.name, at, note)
		}
	}
}

func TestBadValue(t *testing.T) {
	tests := []struct {
		body proto.Message
		want string
	}{
		{&pb.PingClientSummary{Transmitted: 10, Received: 9, LossPercent: 10}, ""},
		{&pb.PingClientSummary{LossPercent: -5}, "summary.loss_percent is -5, negative"},
		{&pb.PingClientSummary{LossPercent: 150}, "over 100"},
		{&pb.PingClientSummary{LossPercent: math.NaN()}, "not a number"},
		{&pb.PingClientSummary{RttMin: durationpb.New(-time.Second)}, "summary.rtt_min.seconds is -1, negative"},
	}
	for _, tt := range tests {
		got := badValue(tt.body.ProtoReflect(), "summary.")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("badValue(%v) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
