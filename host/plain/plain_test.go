package plain

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// play feeds lines to a player of role, one run, and describes the events
// but the readings.
func play(t *testing.T, role string, cfg proto.Message, lines ...string) []string {
	t.Helper()
	var out []string
	for _, ev := range playEvents(t, role, cfg, lines...) {
		kind, body, _ := roles.Unpack(ev)
		if kind != "log" {
			out = append(out, describe(kind, body))
		}
	}
	return out
}

// readings feeds lines to a player of role and returns how it said it read
// them.
func readings(t *testing.T, role string, cfg proto.Message, lines ...string) []string {
	t.Helper()
	var out []string
	for _, ev := range playEvents(t, role, cfg, lines...) {
		if _, body, _ := roles.Unpack(ev); body != nil {
			if l, ok := body.(*pb.Log); ok {
				line, as, ok := Reading(l.Message)
				if !ok || l.Level != pb.Log_LEVEL_DEBUG {
					t.Errorf("log %q is no reading", l.Message)
				}
				out = append(out, fmt.Sprintf("%s => %s", line, as))
			}
		}
	}
	return out
}

// sheetRole is the sheet's role called name with its reader, as
// host/labs completes it.
func sheetRole(t *testing.T, name string) roles.Role {
	t.Helper()
	readers := map[string]func(proto.Message) roles.PlainReader{
		roles.PingClient().Name: PingClient, roles.HeartbeatServer().Name: HeartbeatServer, roles.WebClient().Name: WebClient,
	}
	for _, r := range []roles.Role{roles.PingServer(), roles.PingClient(), roles.HeartbeatServer(), roles.HeartbeatClient(), roles.WebServer(), roles.WebClient()} {
		if r.Name == name {
			r.Plain.Reader = readers[name]
			return r
		}
	}
	t.Fatalf("no role %q", name)
	return roles.Role{}
}

func playEvents(t *testing.T, role string, cfg proto.Message, lines ...string) []proto.Message {
	t.Helper()
	p, err := New(sheetRole(t, role), cfg, nil, "127.0.0.1:12000")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1764147583, 0)
	var evs []proto.Message
	for _, l := range lines {
		evs = append(evs, p.Line(l, at)...)
	}
	evs = append(evs, p.EndRun(at, nil)...)
	return append(evs, p.Finish(at)...)
}

func describe(kind string, body proto.Message) string {
	switch b := body.(type) {
	case *pb.PingReply:
		rtt := "none"
		if b.Rtt != nil {
			rtt = b.Rtt.AsDuration().String()
		}
		return fmt.Sprintf("reply %d rtt %s", b.Seq, rtt)
	case *pb.PingTimeout:
		return fmt.Sprintf("timeout %d", b.Seq)
	case *pb.PingClientSummary:
		d := func(x interface{ AsDuration() time.Duration }, set bool) string {
			if !set {
				return "-"
			}
			return x.AsDuration().String()
		}
		loss := "-"
		if !math.IsNaN(b.LossPercent) {
			loss = fmt.Sprint(b.LossPercent)
		}
		return fmt.Sprintf("summary %d/%d loss %s min %s avg %s max %s", b.Transmitted, b.Received, loss,
			d(b.RttMin, b.RttMin != nil), d(b.RttAvg, b.RttAvg != nil), d(b.RttMax, b.RttMax != nil))
	case *pb.HeartbeatLost:
		return fmt.Sprintf("lost %d-%d", b.FirstSeq, b.LastSeq)
	case *pb.ClientDown:
		return "down"
	case *pb.ClientUp:
		return "up"
	}
	return kind
}

func TestPingClientLines(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"the sheet's client", []string{
			"PING 1 1764147583.765584 RTT: 0.000229 seconds",
			"Request timed out",
			"PING 3 1764147585.1 RTT: 0.000300 seconds",
		}, []string{"reply 1 rtt 229µs", "timeout 2", "reply 3 rtt 300µs"}},
		{"ping(8) style", []string{
			"Reply from 127.0.0.1: PING 1 1764147583.77 time=0.21 ms",
			"Reply from 127.0.0.1: PING 2 1764147583.78 time=1.5 ms",
			"--- statistics ---",
			"2 packets transmitted, 2 received, 0% packet loss",
			"rtt min/avg/max/mdev = 0.210/0.855/1.500/0.645 ms",
		}, []string{"reply 1 rtt 210µs", "reply 2 rtt 1.5ms", "summary 2/2 loss 0 min 210µs avg 855µs max 1.5ms"}},
		{"bytes repr and a bare number", []string{
			"b'PING 1 1764147583.765584' 0.000213",
			"b'PING 2 1764147583.865584' 2.13e-04",
		}, []string{"reply 1 rtt 213µs", "reply 2 rtt 213µs"}},
		{"reply and RTT on two lines", []string{
			"Ping 1 sent",
			"Received: PING 1 1764147583.765584",
			"Round trip time: 0.5 ms",
			"Ping 2 sent",
			"Request timed out",
			"Received: PING 3 1764147583.765584",
			"Request timed out",
		}, []string{"reply 1 rtt 500µs", "timeout 2", "reply 3 rtt none", "timeout 4"}},
		{"summary over several lines", []string{
			"RTT (ms): 12",
			"Minimum RTT: 0.012 s",
			"Maximum RTT = 0.020 seconds",
			"Average RTT: 16 ms",
			"Packet loss rate: 0.3",
		}, []string{"reply 1 rtt 12ms", "summary 0/0 loss 30 min 12ms avg 16ms max 20ms"}},
		{"one summary line", []string{
			"min 0.000123 avg 0.000234 max 0.000345 seconds, loss 30%",
		}, []string{"summary 0/0 loss 30 min 123µs avg 234µs max 345µs"}},
		{"a late reply shown as the next ping's", []string{
			"Request timed out",
			"PING 1 1764147583.5 RTT: 0.5",
		}, []string{"timeout 1", "reply 2 rtt 500ms"}},
		{"chatter is no outcome", []string{
			"Sending 10 pings to 127.0.0.1:12000",
			"Sending: Ping 1 1764147583.765584",
			"",
			"done.",
		}, nil},
		{"lost is a timeout", []string{"Packet 1 lost"}, []string{"timeout 1"}},
		{"Sent= and Received= with the loss", []string{
			"PING 1 1764147583.5  RTT = 0.000200 s",
			"Request timed out",
			"Sent=2, Received=1, Lost=1 (50% loss)",
			"Minimum RTT = 0.000200, Maximum RTT = 0.000200, Average RTT = 0.000200",
		}, []string{"reply 1 rtt 200µs", "timeout 2", "summary 2/1 loss 50 min 200µs avg 200µs max 200µs"}},
		{"a count of lost pings is no ping's timeout", []string{
			"Ping message 1 received: PING 1 1764147583.5",
			"RTT: 0.0003 seconds",
			"Request timed out",
			"total number of packets lost = 1",
		}, []string{"reply 1 rtt 300µs", "timeout 2", "summary 0/0 loss 50 min - avg - max -"}},
		{"Packets lost: N", []string{
			"PING 1 1764147583.5 RTT: 0.001",
			"Request timed out",
			"Request timed out",
			"Request timed out",
			"Packets lost: 3",
			"min/avg/max = 0.001/0.001/0.001 s",
		}, []string{"reply 1 rtt 1ms", "timeout 2", "timeout 3", "timeout 4", "summary 0/0 loss 75 min 1ms avg 1ms max 1ms"}},
		{"Python's address tuple after the reply", []string{
			"PING 1 1796602021.815964 from ('127.0.0.1', 12000)",
			"RTT: 0.0114 seconds",
			"Request timed out",
			"PING 3 1796602023.9 from ('::1', 12000, 0, 0)",
			"RTT: 0.0002 seconds",
		}, []string{"reply 1 rtt 11.4ms", "timeout 2", "reply 3 rtt 200µs"}},
		{"the program prints the ping it sends", []string{
			"Ping 1 1796602021.815964",
			"PING 1 1796602021.815964",
			"RTT: 0.000123",
			"Ping 2 1796602022.9",
			"Request timed out",
			"Ping 3 Mon Dec  7 00:10:15 2026",
			"PING 3 MON DEC  7 00:10:15 2026",
			"RTT: 0.0003",
			"PING 4 2026-12-07T00:10:16.5",
			"RTT: 0.0004",
		}, []string{"reply 1 rtt 123µs", "timeout 2", "reply 3 rtt 300µs", "reply 4 rtt 400µs"}},
		{"a ping with its RTT is a reply", []string{
			"Ping 1: RTT = 0.2 ms",
			"Ping 2 1764147583.5 0.000213",
		}, []string{"reply 1 rtt 200µs", "reply 2 rtt 213µs"}},
		{"a ping that says it was answered is a reply", []string{
			"Ping 1 received",
			"RTT: 0.0003",
			"Ping 2 PING 2 1764147583.5",
			"RTT: 0.0004",
			"Ping 3 reply from ('127.0.0.1', 12000)",
		}, []string{"reply 1 rtt 300µs", "reply 2 rtt 400µs", "reply 3 rtt none"}},
		{"Reply from and RTT: seconds", []string{
			"Reply from 127.0.0.1: PING 1 1764147583.5",
			"RTT: 0.00123 seconds",
		}, []string{"reply 1 rtt 1.23ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := play(t, "ping_client", &pb.PingClientConfig{}, tt.lines...)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestHeartbeatServerLines(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"Heartbeat 7 lost", []string{"lost 7-7"}},
		{"lost heartbeats 4-6 from 127.0.0.1:51234", []string{"lost 4-6"}},
		{"missing seq 3, 5 and 9 to 11", []string{"lost 3-3", "lost 5-5", "lost 9-11"}},
		{"lost 3 packets (12.5%)", nil},
		{"12:30:01 client 127.0.0.1:5000 lost 8..9", []string{"lost 8-9"}},
		{"Client 127.0.0.1:5000 has stopped: no heartbeat for 3.0 s", []string{"down"}},
		{"client beat is DOWN", []string{"down"}},
		{"client beat is back up", []string{"up"}},
		{"Heartbeat 3 received, delay 0.000123 s", nil},
		{"total number of packets lost = 1", nil},
		{"Missing packets: 3 4", []string{"lost 3-3", "lost 4-4"}},
		{"Client has disconnected", []string{"down"}},
		{"Client 127.0.0.1:5000 stopped responding", []string{"down"}},
		{"Lost heartbeat 6 from ('127.0.0.1', 36500)", []string{"lost 6-6"}},
		{"Lost heartbeat 7 from ('::1', 36500, 0, 0)", []string{"lost 7-7"}},
		{"Lost heartbeats: [6]", []string{"lost 6-6"}},
		{"Lost heartbeats: [25, 26]", []string{"lost 25-25", "lost 26-26"}},
		{"lost 4 from [::1]:5000", []string{"lost 4-4"}},
		{"Missing 1 heartbeat(s)", nil},
		{"Lost 1 packet", nil},
		{"2 packet(s) lost", nil},
		{"Client ('127.0.0.1', 36500) stopped", []string{"down"}},
		{"No heartbeat for 10 seconds: the client application has stopped", []string{"down"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got := play(t, "heartbeat_server", &pb.HeartbeatServerConfig{}, tt.line)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWebClientOutput(t *testing.T) {
	cfg := &pb.WebClientConfig{Paths: []string{"HelloWorld.html", "/missing.html"}}
	p, err := New(sheetRole(t, "web_client"), cfg, nil, "127.0.0.1:6789")
	if err != nil {
		t.Fatal(err)
	}
	runs := p.Runs()
	if len(runs) != 2 || strings.Join(runs[0].Args, " ") != "127.0.0.1 6789 HelloWorld.html" || runs[1].Path != "/missing.html" {
		t.Fatalf("runs %v", runs)
	}
	at := time.Unix(1764147583, 0)
	for _, l := range []string{"Connecting...", "HTTP/1.1 200 OK", "Content-Type: text/html", "Content-Length: 27", "", "<html>", "<p>hi</p>", "</html>"} {
		p.Line(l, at)
	}
	first := p.EndRun(at.Add(time.Millisecond), nil)
	p.Line(`b'HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot \xc3\xa9!'`, at)
	second := p.EndRun(at, errors.New("exit status 1"))
	last := p.Finish(at)
	r1 := first[0].(*pb.WebClientEvent).GetResponse()
	if r1.Status != 200 || r1.Path != "HelloWorld.html" || len(r1.Headers) != 2 || string(r1.Body) != "<html>\n<p>hi</p>\n</html>" || r1.Error != "" {
		t.Errorf("first response %v", r1)
	}
	r2 := second[0].(*pb.WebClientEvent).GetResponse()
	if r2.Status != 404 || string(r2.Body) != "not é!" || r2.Headers[0].Value != "9" {
		t.Errorf("second response %v", r2)
	}
	sum := last[0].(*pb.WebClientEvent).GetSummary()
	if sum.Requests != 2 || sum.Ok != 1 || sum.Failed != 1 {
		t.Errorf("summary %v", sum)
	}

	p, _ = New(sheetRole(t, "web_client"), &pb.WebClientConfig{Paths: []string{"/"}}, []string{"http://{address}{path}"}, "127.0.0.1:6789")
	if r := p.Runs()[0]; strings.Join(r.Args, " ") != "http://127.0.0.1:6789/" {
		t.Errorf("args %v", r)
	}
	p.Line("Traceback (most recent call last):", at)
	resp := p.EndRun(at, errors.New("exit status 1"))[0].(*pb.WebClientEvent).GetResponse()
	if resp.Error != "printed no HTTP status line (exit status 1)" {
		t.Errorf("error %q", resp.Error)
	}
}

func TestSheetAddresses(t *testing.T) {
	for role, want := range map[string]string{"ping_client": "127.0.0.1:12000", "heartbeat_server": "127.0.0.1:12000", "web_server": "127.0.0.1:6789", "web_client": ""} {
		if r := sheetRole(t, role); r.Plain.Address != want {
			t.Errorf("%s: %q, want %q", role, r.Plain.Address, want)
		}
	}
}

// TestReadings: every form of the package doc's table that could be read
// two ways says how it was read, quoting the line.
func TestReadings(t *testing.T) {
	tests := []struct {
		role  string
		lines []string
		want  []string
	}{
		{"ping_client", []string{"Sent=10, Received=6, Lost=4 (40% loss)"},
			[]string{"Sent=10, Received=6, Lost=4 (40% loss) => statistics: loss 40%, 4 lost of the pings sent (a count, not ping 4 lost), 10 sent, 6 received"}},
		{"ping_client", []string{"Packets lost: 3"},
			[]string{"Packets lost: 3 => statistics: 3 lost of the pings sent (a count, not ping 3 lost)"}},
		{"ping_client", []string{"total number of packets lost = 1"},
			[]string{"total number of packets lost = 1 => statistics: 1 lost of the pings sent (a count, not ping 1 lost)"}},
		{"ping_client", []string{"Minimum RTT = 0.0002, Maximum RTT = 0.0005, Average RTT = 0.0003"},
			[]string{"Minimum RTT = 0.0002, Maximum RTT = 0.0005, Average RTT = 0.0003 => statistics: min RTT 200µs, max RTT 500µs, avg RTT 300µs"}},
		{"ping_client", []string{"rtt min/avg/max/mdev = 0.210/0.855/1.500/0.645 ms"},
			[]string{"rtt min/avg/max/mdev = 0.210/0.855/1.500/0.645 ms => statistics: min RTT 210µs, avg RTT 855µs, max RTT 1.5ms, mdev 645µs (not judged)"}},
		{"ping_client", []string{"Reply from 127.0.0.1: PING 1 1764147583.5", "RTT: 0.00123 seconds"},
			[]string{"Reply from 127.0.0.1: PING 1 1764147583.5 => ping 1's reply (the 1st outcome printed) without an RTT on this line",
				"RTT: 0.00123 seconds => the RTT of the reply on the line before (ping 1): 1.23ms"}},
		{"ping_client", []string{"Ping message 1 received: PING 1 1764147583.5 RTT = 0.000213 s"},
			[]string{"Ping message 1 received: PING 1 1764147583.5 RTT = 0.000213 s => ping 1's reply (the 1st outcome printed), RTT 213µs"}},
		{"ping_client", []string{"Request timed out", "Packet 2 lost"},
			[]string{"Request timed out => ping 1's timeout (the 1st outcome printed)", "Packet 2 lost => ping 2's timeout (the 2nd outcome printed)"}},
		{"ping_client", []string{"Sending: Ping 1 1764147583.765584"},
			[]string{"Sending: Ping 1 1764147583.765584 => the program's own ping going out, not an outcome"}},
		{"heartbeat_server", []string{"total number of packets lost = 1"},
			[]string{"total number of packets lost = 1 => a count of lost heartbeats, not which were lost"}},
		{"heartbeat_server", []string{"Missing packets: 3 4", "lost heartbeats 7-9 from 127.0.0.1:51234"},
			[]string{"Missing packets: 3 4 => heartbeats lost: 3, 4", "lost heartbeats 7-9 from 127.0.0.1:51234 => heartbeats lost: 7-9"}},
		{"heartbeat_server", []string{"Client 127.0.0.1:5000 has disconnected"},
			[]string{"Client 127.0.0.1:5000 has disconnected => the client declared down (it said \"disconnected\")"}},
		{"heartbeat_server", []string{"Client stopped responding", "Client is back up"},
			[]string{"Client stopped responding => the client declared down (it said \"stopped\")", "Client is back up => the client up again"}},
		{"heartbeat_server", []string{"Heartbeat 3 received, delay 0.000123 s"}, nil},
		{"heartbeat_server", []string{"Missing 1 heartbeat(s)"},
			[]string{"Missing 1 heartbeat(s) => lost heartbeats without a seq (a count), not which were lost"}},
		{"heartbeat_server", []string{"Lost heartbeat 6 from ('127.0.0.1', 36500)"},
			[]string{"Lost heartbeat 6 from ('127.0.0.1', 36500) => heartbeats lost: 6"}},
		{"ping_client", []string{"Ping 1 1796602021.815964", "PING 1 1796602021.815964 from ('127.0.0.1', 12000)", "RTT: 0.0114 seconds"},
			[]string{`Ping 1 1796602021.815964 => the program's own ping going out, not an outcome: the sheet's "Ping <seq> <time>" as the client sends it (the server's reply is upper-cased, "PING")`,
				"PING 1 1796602021.815964 from ('127.0.0.1', 12000) => ping 1's reply (the 1st outcome printed) without an RTT on this line",
				"RTT: 0.0114 seconds => the RTT of the reply on the line before (ping 1): 11.4ms"}},
		{"heartbeat_server", []string{"Listening on port 12000; a client is considered down after 10 seconds"},
			[]string{"Listening on port 12000; a client is considered down after 10 seconds => the down threshold: 10s",
				"Listening on port 12000; a client is considered down after 10 seconds => the client declared down (it said \"down\")"}},
		{"heartbeat_server", []string{"timeout = 2500 ms", "If no heartbeat comes for 7 s the client is assumed stopped"},
			[]string{"timeout = 2500 ms => the down threshold: 2.5s", "If no heartbeat comes for 7 s the client is assumed stopped => the down threshold: 7s",
				"If no heartbeat comes for 7 s the client is assumed stopped => the client declared down (it said \"no heartbeat\")"}},
		{"heartbeat_server", []string{"No heartbeat for 10 seconds: the client application has stopped", "Client declared down after 10.2 s of silence"},
			[]string{"No heartbeat for 10 seconds: the client application has stopped => the client declared down (it said \"no heartbeat\")",
				"Client declared down after 10.2 s of silence => the client declared down (it said \"down\")"}},
	}
	for _, tt := range tests {
		t.Run(tt.lines[0], func(t *testing.T) {
			var cfg proto.Message = &pb.PingClientConfig{}
			if tt.role == "heartbeat_server" {
				cfg = &pb.HeartbeatServerConfig{}
			}
			got := readings(t, tt.role, cfg, tt.lines...)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestReadingRoundTrip(t *testing.T) {
	for _, line := range []string{`plain`, `with "quotes" and \ and a tab	`, "as \"x\" as y"} {
		gotLine, gotAs, ok := Reading(readingText(line, "what as it is"))
		if !ok || gotLine != strings.TrimSpace(line) || gotAs != "what as it is" {
			t.Errorf("%q: got %q %q %v", line, gotLine, gotAs, ok)
		}
	}
	for _, msg := range []string{"", "read", `read "x"`, "read x as y", "reading \"x\" as y"} {
		if _, _, ok := Reading(msg); ok {
			t.Errorf("%q read as a reading", msg)
		}
	}
}
