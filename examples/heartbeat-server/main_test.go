package main

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in  string
		seq uint64
		id  string
		ok  bool
	}{
		{"Heartbeat 7 1764147583.123456", 7, "", true},
		{"Heartbeat 1 1764147583.5 lab-pc-3", 1, "lab-pc-3", true},
		{"PING 3 1764147583", 3, "", true},
		{"  heartbeat \t 4   1764147583.5  a \r\n", 4, "a", true},
		{"Heartbeat 1 9223372035.999999999", 1, "", true},
		{"", 0, "", false},
		{"Heartbeat 1 2\x00", 0, "", false},
		{"Heartbeat 1 2 caf\u00e9", 0, "", false},
		{"Hello, server", 0, "", false},
		{"Heartbeat 1", 0, "", false},
		{"Heartbeat +1 2", 0, "", false},
		{"Heartbeat 1 1.7e9", 0, "", false},
		{"Ping 1 Wed Nov 26 09:39:43 2025", 0, "", false},
		{"Heartbeat 1 9223372036", 0, "", false},
		{"Ping 1 2 a", 0, "", false},
		{"Heartbeat 1 2 a b", 0, "", false},
		{"Heartbeat 1 2 " + strings.Repeat("x", 65), 0, "", false},
		{"Heartbeat 1 2 " + strings.Repeat(" ", 2048), 0, "", false},
	}
	for _, tt := range tests {
		seq, _, id, problem := parse([]byte(tt.in))
		if ok := problem == ""; ok != tt.ok || seq != tt.seq || id != tt.id {
			t.Errorf("parse(%.40q) = %d %q %q, want %d %q ok=%v", tt.in, seq, id, problem, tt.seq, tt.id, tt.ok)
		}
	}
}

// TestRules feeds the server datagrams and ticks with a made-up clock, the
// way the host would if the network reordered, duplicated and delayed them.
func TestRules(t *testing.T) {
	start := time.Unix(1764147583, 0)
	var got []string
	s := &server{
		cfg: &pb.HeartbeatServerConfig{DeadAfter: durationpb.New(3 * time.Second),
			ReorderWindow: durationpb.New(time.Second), ReportHeartbeats: true},
		out:     sdk.NewHeartbeatServerEvents(func(ev *pb.HeartbeatServerEvent) { got = append(got, describe(ev)) }),
		clients: map[string]*clientInfo{},
	}
	from := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	// beat: seq, sent at sent and received at at, both seconds after start.
	beat := func(at float64, seq int, sent float64) {
		s.handle(packet{[]byte(fmt.Sprintf("Heartbeat %d %f a", seq, float64(start.Unix())+sent)), from, start.Add(time.Duration(at * float64(time.Second)))})
	}
	tick := func(at float64) { s.check(start.Add(time.Duration(at * float64(time.Second)))) }

	beat(0, 1, 0)
	beat(0.2, 3, 0.2)
	beat(0.3, 2, 0.1) // in the gap: reordered
	beat(0.4, 2, 0.1) // again: duplicate
	beat(0.5, 6, 0.5)
	tick(1.6)         // the window of 4-5 has passed
	beat(1.7, 5, 0.4) // too late: stays lost
	beat(2, 1, 2)     // back to 1, sent later: a restart
	tick(5)           // silent for dead_after
	beat(6, 2, 6)
	s.handle(packet{[]byte("GET / HTTP/1.0"), from, start.Add(7 * time.Second)})

	want := []string{
		"heartbeat 1", "heartbeat 3", "heartbeat 2", "reordered 2 after 3", "duplicate 2", "heartbeat 6",
		"lost 4-5", "log client a: seq 5 came 1.3s after it was sent, after it was reported lost",
		"restart 1 after 6", "heartbeat 1", "down after 1", "up at 2", "heartbeat 2", "malformed",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	c := s.clients["id a"].summary(start.Add(8 * time.Second))
	if c.Received != 6 || c.Lost != 2 || c.Late != 1 || c.Duplicates != 1 || c.Reordered != 1 || c.Restarts != 1 ||
		c.TimeDown.AsDuration() != time.Second || c.Down {
		t.Errorf("totals %v", c)
	}
}

func describe(ev *pb.HeartbeatServerEvent) string {
	switch e := ev.Event.(type) {
	case *pb.HeartbeatServerEvent_Heartbeat:
		return fmt.Sprintf("heartbeat %d", e.Heartbeat.Seq)
	case *pb.HeartbeatServerEvent_Reordered:
		return fmt.Sprintf("reordered %d after %d", e.Reordered.Seq, e.Reordered.AfterSeq)
	case *pb.HeartbeatServerEvent_Duplicate:
		return fmt.Sprintf("duplicate %d", e.Duplicate.Seq)
	case *pb.HeartbeatServerEvent_Lost:
		return fmt.Sprintf("lost %d-%d", e.Lost.FirstSeq, e.Lost.LastSeq)
	case *pb.HeartbeatServerEvent_Restart:
		return fmt.Sprintf("restart %d after %d", e.Restart.Seq, e.Restart.PreviousSeq)
	case *pb.HeartbeatServerEvent_Down:
		return fmt.Sprintf("down after %d", e.Down.LastSeq)
	case *pb.HeartbeatServerEvent_Up:
		return fmt.Sprintf("up at %d", e.Up.Seq)
	case *pb.HeartbeatServerEvent_Malformed:
		return "malformed"
	case *pb.HeartbeatServerEvent_Log:
		return "log " + e.Log.Message
	}
	return fmt.Sprint(ev)
}
