package heartbeat_test

import (
	"fmt"
	"testing"

	"github.com/socklab/socklab/host/check/judge/heartbeat"
	"github.com/socklab/socklab/host/check/judge/internal/judgetest"
	"github.com/socklab/socklab/host/link"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

const heartbeatServerLab = `
  heartbeat_server "student" {
    listen     = "127.0.0.1:0"
    dead_after = "1s"
  }
  heartbeat_client "reference" {
    server   = heartbeat_server.student.address
    interval = "100ms"
  }
`

func hsLost(first, last uint64) *pb.HeartbeatServerEvent {
	return &pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Lost{Lost: &pb.HeartbeatLost{FirstSeq: first, LastSeq: last}}}
}

func TestHeartbeatServerChecks(t *testing.T) {
	down := &pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Down{Down: &pb.ClientDown{}}}
	up := &pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Up{Up: &pb.ClientUp{}}}
	tests := []struct {
		name   string
		plain  bool
		claims func(f *judgetest.Fake)
		check  string
		wants  []string
	}{
		{"exactly the drops", false, func(f *judgetest.Fake) { f.Event("student", 400, hsLost(3, 4)) }, "lost", nil},
		{"a drop missed, a delivery called lost", false, func(f *judgetest.Fake) {
			f.Event("student", 400, hsLost(3, 3))
			f.Event("student", 400, hsLost(6, 6))
		}, "lost", []string{"heartbeat 4: the link dropped it; the server never reported it lost",
			"heartbeat 6: the server reported it lost, but the link delivered it"}},
		{"down once, on time", false, func(f *judgetest.Fake) {
			f.Event("student", 2000, down)
			f.Event("student", 5000, up)
		}, "down", nil},
		{"never down", false, func(f *judgetest.Fake) {}, "down", []string{"the client fell silent for 12.00s after heartbeat 10; the server never declared it down"}},
		{"down late", false, func(f *judgetest.Fake) { f.Event("student", 4000, down) }, "down", []string{"the server first declared it down 3.10s into the silence, want about dead_after (1.00s)"}},
		{"down on time, then repeated while silent", false, func(f *judgetest.Fake) {
			f.Event("student", 2000, down)
			f.Event("student", 3000, down)
			f.Event("student", 8000, down)
		}, "down", nil},
		{"down late, then repeated", false, func(f *judgetest.Fake) {
			f.Event("student", 4000, down)
			f.Event("student", 9000, down)
		}, "down", []string{"the server first declared it down 3.10s into the silence, want about dead_after (1.00s) (it repeated the notice once in this silence, which is fine)"}},
		{"plain: down any time in the silence", true, func(f *judgetest.Fake) { f.Event("student", 3500, down) }, "down", nil},
		{"up again", false, func(f *judgetest.Fake) { f.Event("student", 12910, up) }, "up", nil},
		{"not up again", false, func(f *judgetest.Fake) {}, "up", []string{"heartbeat 11 came after 12.00s of silence; the server did not report the client up again"}},
		{"down while beating", false, func(f *judgetest.Fake) { f.Event("student", 450, down) }, "no_false_down", []string{"the server declared the client down 50ms after heartbeat 5 arrived"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := judgetest.New(t, heartbeat.Server(), heartbeatServerLab, tt.plain)
			if tt.check == "lost" || tt.check == "no_false_down" {
				// seqs 1..6 every 100 ms; the link drops 3 and 4.
				for s := 1; s <= 6; s++ {
					fate := link.Delivered
					if s == 3 || s == 4 {
						fate = link.Dropped
					}
					f.Link("reference", link.ToServer, s*100-100, fate, fmt.Sprintf("Heartbeat %d 1764147583.%d", s, s))
				}
			} else {
				// seqs 1..10 every 100 ms, then 12 s of silence, then 11 and 12.
				for s := 1; s <= 12; s++ {
					ms := s*100 - 100
					if s > 10 {
						ms = 900 + 12000 + (s-11)*100
					}
					f.Link("reference", link.ToServer, ms, link.Delivered, fmt.Sprintf("Heartbeat %d 1764147583.%d", s, s))
				}
			}
			tt.claims(f)
			judgetest.Want(t, tt.check, f.Judge(tt.check, nil), tt.wants...)
		})
	}
}

const heartbeatClientLab = `
  heartbeat_server "reference" {
    listen = "127.0.0.1:0"
  }
  heartbeat_client "student" {
    server   = heartbeat_server.reference.address
    interval = "200ms"
    count    = 4
  }
`

func TestHeartbeatClientChecks(t *testing.T) {
	tests := []struct {
		name  string
		plain bool
		beats []string
		gaps  []int
		check string
		wants []string
	}{
		{"steady", false, nil, []int{200, 200, 200}, "periodic", nil},
		{"a late one", false, nil, []int{200, 600, 200}, "periodic", []string{"heartbeats 2 and 3 went out 600ms apart; the interval is 200ms"}},
		{"one late, the next on time", false, nil, []int{200, 200, 350, 50, 200, 200}, "periodic", nil},
		{"late and on time, again and again", false, nil, []int{350, 50, 350, 50, 350, 50}, "periodic", []string{"heartbeat 2 came 150ms late, heartbeat 3 on time"}},
		{"a short gap alone", false, nil, []int{200, 50, 200, 200}, "periodic", []string{"heartbeats 2 and 3 went out 50ms apart"}},
		{"plain, its own rhythm", true, nil, []int{500, 500, 500}, "periodic", nil},
		{"plain, a flood", true, nil, []int{1, 1, 1}, "periodic", []string{"the heartbeats go out every 1ms"}},
		{"the format", false, []string{"Heartbeat 1 1764147583.5", "Heartbeat 2 1764147583.7 beat", "Ping 3 1764147583.9", "Heartbeat 4 1764147584"}, nil, "message_format", nil},
		{"no time", false, []string{"Heartbeat 1"}, nil, "message_format", []string{`datagram 1 "Heartbeat 1" is not "Heartbeat <seq> <time>"`}},
		{"a gap in the seqs", false, []string{"Heartbeat 1 1764147583", "Heartbeat 3 1764147583"}, nil, "sequence", []string{`heartbeat 2 "Heartbeat 3 1764147583" does not carry seq 2`}},
		{"too few", false, []string{"Heartbeat 1 1764147583"}, nil, "count", []string{"the client sent 1 heartbeats, want 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := judgetest.New(t, heartbeat.Client(), heartbeatClientLab, tt.plain)
			beats := tt.beats
			ms := []int{0}
			for _, g := range tt.gaps {
				ms = append(ms, ms[len(ms)-1]+g)
			}
			for len(beats) < len(ms) {
				beats = append(beats, fmt.Sprintf("Heartbeat %d 1764147583", len(beats)+1))
			}
			for i, b := range beats {
				at := 0
				if i < len(ms) {
					at = ms[i]
				}
				f.Link("student", link.ToServer, at, link.Delivered, b)
			}
			judgetest.Want(t, tt.check, f.Judge(tt.check, nil), tt.wants...)
		})
	}
}
