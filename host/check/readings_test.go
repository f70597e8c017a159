package check

import (
	"fmt"
	"testing"

	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/plain"
)

// printed feeds lines that the plain program under test printed at ms
// through host/plain's reader of its role, as a run does, and records the
// events it makes.
func (f *fake) printed(ms int, lines ...string) {
	f.t.Helper()
	p, err := plain.New(f.o.Under.Role, f.o.Under.Config, nil, "127.0.0.1:12000")
	if err != nil {
		f.t.Fatal(err)
	}
	for _, l := range lines {
		for _, ev := range p.Line(l, f.at(ms)) {
			f.event(f.o.Under.Name, ms, ev)
		}
	}
	for _, ev := range append(p.EndRun(f.at(ms), nil), p.Finish(f.at(ms))...) {
		f.event(f.o.Under.Name, ms, ev)
	}
}

// TestEvidenceSaysHowALineWasRead: where a printed line could be read two
// ways, a failed check's evidence quotes it and says how it was read.
func TestEvidenceSaysHowALineWasRead(t *testing.T) {
	t.Run("ping client", func(t *testing.T) {
		tests := []struct {
			name  string
			lines []string
			check string
			wants []string
		}{
			{"a count of lost pings", []string{
				"PING 1 1764147583.000 RTT: 0.010 seconds",
				"Request timed out",
				"Request timed out",
				"Packets lost: 1",
				"Minimum RTT = 0.010, Maximum RTT = 0.010, Average RTT = 0.010",
			}, "statistics", []string{
				"the packet loss is 33.33%, but 2 of the 3 pings got no reply within the timeout (66.67%)",
				`read "Packets lost: 1" as statistics: 1 lost of the pings sent (a count, not ping 1 lost)`,
				`read "Minimum RTT = 0.010, Maximum RTT = 0.010, Average RTT = 0.010" as statistics: min RTT 10ms, max RTT 10ms, avg RTT 10ms`,
			}},
			{"Sent= and Received=", []string{
				"PING 1 1764147583.000 RTT: 0.010 seconds",
				"Request timed out",
				"Request timed out",
				"Sent=3, Received=2, Lost=1 (33% loss)",
			}, "statistics", []string{
				`read "Sent=3, Received=2, Lost=1 (33% loss)" as statistics: loss 33%, 1 lost of the pings sent (a count, not ping 1 lost), 3 sent, 2 received`,
			}},
			{"an RTT on the next line", []string{
				"Reply from 127.0.0.1: PING 1 1764147583.000",
				"RTT: 0.5 seconds",
			}, "rtt", []string{
				`ping 1: the client printed an RTT of 500ms, but the reply came 10ms after the ping (on the link)`,
				`read "Reply from 127.0.0.1: PING 1 1764147583.000" as ping 1's reply (the 1st outcome printed) without an RTT on this line; read "RTT: 0.5 seconds" as the RTT of the reply on the line before (ping 1): 500ms`,
			}},
			{"the ping it sends is no reply", []string{
				"Ping 1 1764147583.000",
				"PING 1 1764147583.000",
				"RTT: 0.010",
				"Ping 2 1764147583.020",
				"Ping 3 1764147584.020",
				"Request timed out",
			}, "timeouts", []string{
				`ping 3: the reply came 1.50s after the ping, past the 1.00s timeout; the client printed nothing about it (want Request timed out) (read "Ping 3 1764147584.020" as the program's own ping going out, not an outcome: the sheet's "Ping <seq> <time>" as the client sends it (the server's reply is upper-cased, "PING"), the ping the link saw it send)`,
			}},
			{"a reply read as a timeout", []string{
				"Packet 1 lost",
			}, "timeouts", []string{
				`ping 1: the reply came 10ms after the ping, within the 1.00s timeout; the client printed Request timed out (read "Packet 1 lost" as ping 1's timeout (the 1st outcome printed))`,
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := threePings(t, pingClientLab, true)
				at := 2600 // after the last ping's timeout
				if tt.check == "rtt" {
					at = 15 // when the reply came: the client said it then
				}
				f.printed(at, tt.lines...)
				want(t, tt.check, f.judge(tt.check, nil), tt.wants...)
			})
		}
	})
	t.Run("heartbeat server", func(t *testing.T) {
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
				f := newFake(t, "heartbeat_server", heartbeatServerLab, true)
				if tt.startup != "" {
					f.printed(startup, tt.startup)
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
					f.link("reference", link.ToServer, ms, fate, fmt.Sprintf("Heartbeat %d 1764147583.%d", s, s))
				}
				f.printed(tt.at, tt.lines...)
				want(t, tt.check, f.judge(tt.check, nil), tt.wants...)
			})
		}
	})
}
