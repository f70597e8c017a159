package output

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func TestDescribe(t *testing.T) {
	ms := func(f float64) *durationpb.Duration { return durationpb.New(time.Duration(f * float64(time.Millisecond))) }
	tests := []struct {
		kind string
		body proto.Message
		want string
	}{
		{"timeout", &pb.PingTimeout{Seq: 3}, "ping 3: Request timed out"},
		{"reply", &pb.PingReply{Seq: 1, Rtt: ms(0.25), Payload: []byte("PING 1 5.000000")}, `reply "PING 1 5.000000"  RTT 0.000250 s`},
		{"summary", &pb.PingClientSummary{Transmitted: 10, Received: 7, LossPercent: 30, RttMin: ms(0.1), RttAvg: ms(0.2), RttMax: ms(0.4), RttMdev: ms(0.05)},
			"10 packets transmitted, 7 received, 30% packet loss; rtt min/avg/max/mdev = 0.100/0.200/0.400/0.050 ms"},
		{"summary", &pb.PingClientSummary{Transmitted: 2, LossPercent: 100}, "2 packets transmitted, 0 received, 100% packet loss"},
		{"drop", &pb.PingDrop{Peer: "127.0.0.1:5", Request: []byte("Ping 1 \x00")}, `drop "Ping 1 \x00" from 127.0.0.1:5`},
		{"lost", &pb.HeartbeatLost{Client: "a b", FirstSeq: 4, LastSeq: 6}, `lost client="a b" first_seq=4 last_seq=6`},
		{"summary", &pb.WebServerSummary{Requests: 3, ByStatus: map[uint32]uint64{404: 1, 200: 2}}, "summary requests=3 by_status={200:2 404:1}"},
		{"response", &pb.WebResponse{Headers: []*pb.Header{{Name: "A", Value: "b"}}, Duration: ms(2)}, "response headers=[{name=A value=b}] duration=2ms"},
	}
	for _, tt := range tests {
		if got := Describe("", tt.kind, tt.body); got != tt.want {
			t.Errorf("Describe(%s) = %q, want %q", tt.kind, got, tt.want)
		}
	}
	long := Describe("", "sent", &pb.PingSent{Payload: []byte(strings.Repeat("x", 200))})
	if !strings.HasSuffix(long, "...(200 bytes)") {
		t.Errorf("long payload shown as %q", long)
	}
}

func TestSequencerReleasesInEventOrder(t *testing.T) {
	var mu sync.Mutex
	var got []int
	seq := NewSequencer(20*time.Millisecond, func(ev run.Event) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, int(ev.Body.(*pb.PingTimeout).Seq))
	})
	base := time.Now()
	// Arrival order differs from the order things happened.
	for _, n := range []int{3, 1, 2, 5, 4} {
		seq.Add(run.Event{Time: base.Add(time.Duration(n) * time.Millisecond), Body: &pb.PingTimeout{Seq: uint32(n)}})
	}
	seq.Close()
	if len(got) != 5 || got[0] != 1 || got[4] != 5 {
		t.Fatalf("released %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("released %v", got)
		}
	}
}

func TestObserverJSON(t *testing.T) {
	var b strings.Builder
	log := NewLogger(&b, JSON, false, zerolog.InfoLevel)
	role, _ := roles.Lookup("ping_client")
	c := &lab.Component{Name: "student", Role: role}
	Observer(log, JSON)(run.Event{Component: c, Time: time.Unix(5, 0), Kind: "timeout", Body: &pb.PingTimeout{Seq: 2}, Raw: &pb.PingClientEvent{}})
	for _, want := range []string{`"component":"student"`, `"kind":"timeout"`, `"event":{"seq":2}`, `"message":"ping 2: Request timed out"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s lacks %s", b.String(), want)
		}
	}
}
