package ping_test

import (
	"testing"

	"github.com/socklab/socklab/host/check/judge/internal/judgetest"
)

// TestPingClientEvidenceSaysHowALineWasRead: where a printed line could be
// read two ways, a failed check's evidence quotes it and says how it was
// read.
func TestPingClientEvidenceSaysHowALineWasRead(t *testing.T) {
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
			f.Printed(at, tt.lines...)
			judgetest.Want(t, tt.check, f.Judge(tt.check, nil), tt.wants...)
		})
	}
}
