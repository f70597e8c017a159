package heartbeat_test

import (
	"fmt"
	"testing"

	"github.com/socklab/socklab/host/check/judge/heartbeat"
	"github.com/socklab/socklab/host/check/judge/internal/judgetest"
	"github.com/socklab/socklab/host/link"
)

// TestHeartbeatServerEvidenceSaysHowALineWasRead: where a printed line
// could be read two ways, a failed check's evidence quotes it and says how
// it was read.
func TestHeartbeatServerEvidenceSaysHowALineWasRead(t *testing.T) {
	const startup = -100 // before the first heartbeat
	tests := []struct {
		name    string
		startup string // printed at start-up, "" for nothing
		at      int    // when lines are printed
		lines   []string
		check   string
		wants   []string
	}{
		{"a count is no seq", "", 450, []string{"total number of packets lost = 3"}, "lost", []string{
			"heartbeat 3: the link dropped it; the server never reported it lost",
			`read "total number of packets lost = 3" as a count of lost heartbeats, not which were lost`,
		}},
		{"seqs named", "", 450, []string{"Missing packets: 3 5"}, "lost", []string{
			"heartbeat 5: the server reported it lost, but the link delivered it",
			`read "Missing packets: 3 5" as heartbeats lost: 3, 5`,
		}},
		{"down, but not in the silence", "", 450, []string{"Client 127.0.0.1:40000 has disconnected", "Client stopped responding"}, "down", []string{
			"the client fell silent for 12.00s after heartbeat 10; the server never declared it down",
			`read "Client 127.0.0.1:40000 has disconnected" as the client declared down (it said "disconnected")`,
			`read "Client stopped responding" as the client declared down (it said "stopped")`,
		}},
		{"down long after the threshold it printed", "Server ready: a client is considered down after 2 seconds", 900 + 5000, []string{"Client stopped"}, "down", []string{
			"the client fell silent for 12.00s after heartbeat 10; the server first declared it down 5.00s into the silence, want about the threshold it printed (2.00s)",
			`read "Server ready: a client is considered down after 2 seconds" as the down threshold: 2s`,
		}},
		{"down about the threshold it printed", "Server ready: a client is considered down after 2 seconds", 900 + 2100, []string{"Client stopped"}, "down", nil},
		// Past the check's silence (11 s), which the scenario's pause is
		// made for: the check's own rule holds.
		{"a threshold longer than the silence", "timeout = 30 s", 900 + 5000, []string{"Client stopped"}, "down", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := judgetest.New(t, heartbeat.Server(), heartbeatServerLab, true)
			if tt.startup != "" {
				f.Printed(startup, tt.startup)
			}
			// seqs 1..10 every 100 ms, the link dropping 3 and 4, then
			// 12 s of silence, then 11.
			for s := 1; s <= 11; s++ {
				fate, ms := link.Delivered, s*100-100
				if s == 3 || s == 4 {
					fate = link.Dropped
				}
				if s == 11 {
					ms = 900 + 12000
				}
				f.Link("reference", link.ToServer, ms, fate, fmt.Sprintf("Heartbeat %d 1764147583.%d", s, s))
			}
			f.Printed(tt.at, tt.lines...)
			judgetest.Want(t, tt.check, f.Judge(tt.check, nil), tt.wants...)
		})
	}
}
