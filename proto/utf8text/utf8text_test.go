package utf8text_test

import (
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/socklab/socklab/proto/socklabpb"
	"github.com/socklab/socklab/proto/utf8text"
)

func TestFromBytes(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", ""},
		{"/index.html", "/index.html"},
		{"/caf\xc3\xa9", "/café"},
		{"/\xff", `/\xff`},
		{"\xc3", `\xc3`},                 // a sequence cut short
		{"\xc3(", `\xc3(`},               // a bad continuation
		{"\xed\xa0\x80", `\xed\xa0\x80`}, // a surrogate half is not UTF-8
		{"a\x00\x1bb", "a\x00\x1bb"},     // control characters are valid text; showing them is the display's job
		{`C:\x41`, `C:\x41`},             // valid text stays as it is, backslashes included
	} {
		if got := utf8text.FromBytes([]byte(tc.in)); got != tc.want {
			t.Errorf("FromBytes(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := utf8text.String(tc.in); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRepair(t *testing.T) {
	ev := &pb.WebClientEvent{Event: &pb.WebClientEvent_Response{Response: &pb.WebResponse{
		Path:       "/\xff",
		StatusLine: "HTTP/1.1 200 \xfe",
		Headers:    []*pb.Header{{Name: "X-\x80", Value: "ok"}, {Name: "Server", Value: "v\xc0"}},
		Body:       []byte("\xff stays bytes"),
	}}}
	if _, err := proto.Marshal(ev); err == nil {
		t.Fatal("marshalling invalid UTF-8 did not fail: the test proves nothing")
	}
	if n := utf8text.Repair(ev); n != 4 {
		t.Errorf("Repair changed %d strings, want 4", n)
	}
	if _, err := proto.Marshal(ev); err != nil {
		t.Fatalf("after Repair: %v", err)
	}
	r := ev.GetResponse()
	if r.Path != `/\xff` || r.StatusLine != `HTTP/1.1 200 \xfe` || r.Headers[0].Name != `X-\x80` || r.Headers[1].Value != `v\xc0` {
		t.Errorf("repaired: %v", r)
	}
	if string(r.Body) != "\xff stays bytes" {
		t.Errorf("a bytes field changed: %q", r.Body)
	}
	if n := utf8text.Repair(ev); n != 0 {
		t.Errorf("second Repair changed %d strings", n)
	}
}

func TestRepairMapsAndLists(t *testing.T) {
	s := &structpb.Struct{Fields: map[string]*structpb.Value{
		"k\xff": structpb.NewStringValue("fine"),
		"good":  structpb.NewStringValue("v\xff"),
		"list":  structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("\xfe")}}),
	}}
	if n := utf8text.Repair(s); n != 3 {
		t.Errorf("Repair changed %d strings, want 3", n)
	}
	if _, err := proto.Marshal(s); err != nil {
		t.Fatalf("after Repair: %v", err)
	}
	if s.Fields[`k\xff`].GetStringValue() != "fine" || s.Fields["good"].GetStringValue() != `v\xff` ||
		s.Fields["list"].GetListValue().Values[0].GetStringValue() != `\xfe` {
		t.Errorf("repaired: %v", s)
	}
	if utf8text.Repair(nil) != 0 {
		t.Error("Repair(nil) changed something")
	}
}

// One Repairer serves many messages of many types, its plans made once.
func TestRepairerReused(t *testing.T) {
	var r utf8text.Repairer
	for i := range 3 {
		ev := &pb.WebServerEvent{Event: &pb.WebServerEvent_Request{Request: &pb.WebRequest{Target: "/\xff", Reason: "ok"}}}
		s := &structpb.Struct{Fields: map[string]*structpb.Value{"a": structpb.NewStructValue(&structpb.Struct{
			Fields: map[string]*structpb.Value{"b": structpb.NewStringValue("\xfe")}})}}
		if n := r.Repair(ev) + r.Repair(s); n != 2 {
			t.Errorf("round %d: %d strings changed, want 2", i, n)
		}
		if ev.GetRequest().GetTarget() != `/\xff` || s.Fields["a"].GetStructValue().Fields["b"].GetStringValue() != `\xfe` {
			t.Errorf("round %d: %v %v", i, ev, s)
		}
	}
	if r.Repair((*pb.WebRequest)(nil)) != 0 {
		t.Error("a nil message changed")
	}
}

func BenchmarkRepairValid(b *testing.B) {
	ev := &pb.WebServerEvent{Event: &pb.WebServerEvent_Request{Request: &pb.WebRequest{
		Peer: "127.0.0.1:40000", Method: "GET", Target: "/HelloWorld.html", Proto: "HTTP/1.1", Status: 200,
	}}}
	var r utf8text.Repairer
	for b.Loop() {
		r.Repair(ev)
	}
}

func BenchmarkRepairHeartbeat(b *testing.B) {
	ev := &pb.HeartbeatServerEvent{Time: timestamppb.Now(), Event: &pb.HeartbeatServerEvent_Heartbeat{Heartbeat: &pb.Heartbeat{
		Client: "steady", Peer: "127.0.0.1:40000", Seq: 7, SentAt: timestamppb.Now(), Delay: durationpb.New(time.Millisecond),
	}}}
	var r utf8text.Repairer
	for b.Loop() {
		r.Repair(ev)
	}
}

func BenchmarkSizeHeartbeat(b *testing.B) {
	ev := &pb.HeartbeatServerEvent{Time: timestamppb.Now(), Event: &pb.HeartbeatServerEvent_Heartbeat{Heartbeat: &pb.Heartbeat{
		Client: "steady", Peer: "127.0.0.1:40000", Seq: 7, SentAt: timestamppb.Now(), Delay: durationpb.New(time.Millisecond),
	}}}
	for b.Loop() {
		proto.Size(ev)
	}
}
