package labs

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/host/output"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// describe renders body as the display shows it for the sheet's role that
// sends it.
func describe(kind string, body proto.Message) string {
	for _, r := range Builtin().All() {
		if r.Describe != nil && r.Describe(body) != "" {
			return output.Describe(r.Role, kind, body)
		}
	}
	return output.Describe(roles.Role{}, kind, body)
}

func TestDescribe(t *testing.T) {
	ms := func(f float64) *durationpb.Duration {
		return durationpb.New(time.Duration(f * float64(time.Millisecond)))
	}
	tests := []struct {
		kind string
		body proto.Message
		want string
	}{
		{"timeout", &pb.PingTimeout{Seq: 3}, "ping 3: Request timed out"},
		{"reply", &pb.PingReply{Seq: 1, Rtt: ms(0.25), Payload: []byte("PING 1 5.000000")}, `15 bytes: seq=1 time=0.250 ms "PING 1 5.000000"`},
		{"summary", &pb.PingClientSummary{Transmitted: 10, Received: 7, LossPercent: 30, RttMin: ms(0.1), RttAvg: ms(0.2), RttMax: ms(0.4), RttMdev: ms(0.05)},
			"10 packets transmitted, 7 received, 30% packet loss; rtt min/avg/max/mdev = 0.100/0.200/0.400/0.050 ms"},
		{"summary", &pb.PingClientSummary{Transmitted: 2, LossPercent: 100}, "2 packets transmitted, 0 received, 100% packet loss"},
		{"drop", &pb.PingDrop{Peer: "127.0.0.1:5", Request: []byte("Ping 1 \x00")}, `drop "Ping 1 \x00" from 127.0.0.1:5`},
	}
	for _, tt := range tests {
		if got := describe(tt.kind, tt.body); got != tt.want {
			t.Errorf("Describe(%s) = %q, want %q", tt.kind, got, tt.want)
		}
	}
	long := describe("sent", &pb.PingSent{Payload: []byte(strings.Repeat("x", 200))})
	if !strings.HasSuffix(long, "...(200 bytes)") {
		t.Errorf("long payload shown as %q", long)
	}
}

func TestDescribeHeartbeat(t *testing.T) {
	ms := func(f float64) *durationpb.Duration {
		return durationpb.New(time.Duration(f * float64(time.Millisecond)))
	}
	seen := time.Date(2026, 11, 26, 9, 26, 8, 123e6, time.Local)
	tests := []struct {
		name string
		kind string
		body proto.Message
		want string
	}{
		{"sent", "sent", &pb.HeartbeatSent{Seq: 7, Payload: []byte("Heartbeat 7 1795686495.206052 steady")},
			`sent "Heartbeat 7 1795686495.206052 steady"`},
		{"paused", "paused", &pb.HeartbeatPaused{PauseFor: ms(2000)}, "paused: silent for 2 s"},
		{"resumed", "resumed", &pb.HeartbeatResumed{NextSeq: 11}, "resumed: next heartbeat 11"},
		{"client summary", "summary", &pb.HeartbeatClientSummary{Sent: 20, Duration: ms(4000.8)}, "20 heartbeats sent in 4.001 s"},
		{"heartbeat", "heartbeat", &pb.Heartbeat{Client: "steady", Peer: "127.0.0.1:5", Seq: 7, Delay: ms(0.345)},
			"heartbeat 7 from steady, one-way delay 0.000345 s"},
		{"negative delay", "heartbeat", &pb.Heartbeat{Client: "127.0.0.1:5", Seq: 1, Delay: ms(-2)},
			"heartbeat 1 from 127.0.0.1:5, one-way delay -0.002000 s"},
		{"lost run", "lost", &pb.HeartbeatLost{Client: "steady", FirstSeq: 4, LastSeq: 6}, "lost 4-6 from steady"},
		{"lost one", "lost", &pb.HeartbeatLost{Client: "steady", FirstSeq: 9, LastSeq: 9}, "lost 9 from steady"},
		{"duplicate", "duplicate", &pb.HeartbeatDuplicate{Client: "steady", Seq: 5}, "duplicate 5 from steady"},
		{"reordered", "reordered", &pb.HeartbeatReordered{Client: "steady", Seq: 5, AfterSeq: 7},
			"heartbeat 5 from steady came after 7: reordered, not lost"},
		{"restart", "restart", &pb.HeartbeatRestart{Client: "steady", Seq: 1, PreviousSeq: 42}, "steady restarted: seq 1 after 42"},
		{"down", "down", &pb.ClientDown{Client: "steady", LastSeq: 20, LastSeen: timestamppb.New(seen)},
			"steady is DOWN: silent since seq 20, heard at 09:26:08.123"},
		{"up", "up", &pb.ClientUp{Client: "steady", Seq: 21, SilentFor: ms(1700.4)}, "steady is UP again at seq 21 after 1.7 s of silence"},
		{"malformed", "malformed", &pb.HeartbeatMalformed{Peer: "127.0.0.1:5", Payload: []byte("GET /\r\n"), Reason: "not a heartbeat"},
			`malformed datagram from 127.0.0.1:5: "GET /\r\n" (not a heartbeat)`},
		{"server summary", "summary", &pb.HeartbeatServerSummary{Malformed: 3, Clients: []*pb.HeartbeatClientTotals{
			{Client: "pauser", Received: 20, DelayMin: ms(0.02), DelayAvg: ms(0.3516), DelayMax: ms(2.0447), TimeDown: ms(1100.3)},
			{Client: "steady", Received: 7, Lost: 5, LossPercent: 500.0 / 12, Late: 1, Duplicates: 2, Reordered: 1, Restarts: 1,
				DelayMin: ms(0.1), DelayAvg: ms(0.2), DelayMax: ms(0.4), TimeDown: ms(0)},
			{Client: "stopper", Received: 10, DelayMin: ms(0.119), DelayAvg: ms(0.502), DelayMax: ms(2.504), TimeDown: ms(2122.7), Down: true},
		}}, "pauser: 20 received, 0 lost (0%), delay min/avg/max = 0.020/0.351/2.044 ms, down 1.1 s; " +
			"steady: 7 received, 5 lost (41.7%), 1 late, 2 duplicates, 1 reordered, 1 restart, delay min/avg/max = 0.100/0.200/0.400 ms; " +
			"stopper: 10 received, 0 lost (0%), delay min/avg/max = 0.119/0.502/2.504 ms, down 2.123 s, DOWN at the end; 3 malformed"},
		{"client that only lost", "summary", &pb.HeartbeatServerSummary{Clients: []*pb.HeartbeatClientTotals{
			{Client: "a", Lost: 0, TimeDown: ms(0)}}}, "a: 0 received, 0 lost (0%)"},
		{"no clients", "summary", &pb.HeartbeatServerSummary{}, "no heartbeats"},
		{"clients past the caps", "summary", &pb.HeartbeatServerSummary{
			Clients:        []*pb.HeartbeatClientTotals{{Client: "a", Received: 9, Lost: 1, LossPercent: 10}},
			ClientsTracked: 3, UnlistedClients: 2, Unlisted: &pb.HeartbeatClientTotals{Received: 3, Lost: 1, LossPercent: 25},
			UntrackedHeartbeats: 40,
		}, "a: 9 received, 1 lost (10%), delay min/avg/max = 0.000/0.000/0.000 ms; 2 more clients: 3 received, 1 lost (25%); 40 heartbeats from clients past max_clients (3 tracked)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(tt.kind, tt.body); got != tt.want {
				t.Errorf("Describe(%s) = %q, want %q", tt.kind, got, tt.want)
			}
		})
	}
	// Heartbeat events no longer show generically, which still quotes a
	// string with a space.
	if got, want := output.Describe(roles.Role{}, "lost", &pb.HeartbeatLost{Client: "a b", FirstSeq: 4, LastSeq: 6}), `lost client="a b" first_seq=4 last_seq=6`; got != want {
		t.Errorf("generic = %q, want %q", got, want)
	}
}

func TestDescribeWeb(t *testing.T) {
	ms := func(f float64) *durationpb.Duration {
		return durationpb.New(time.Duration(f * float64(time.Millisecond)))
	}
	page := []byte("<!DOCTYPE html>\n<html><body>Hello</body></html>\n")
	tests := []struct {
		name string
		kind string
		body proto.Message
		want string
	}{
		{"served", "request", &pb.WebRequest{Peer: "127.0.0.1:5555", Method: "GET", Target: "/HelloWorld.html", Proto: "HTTP/1.1",
			Status: 200, Bytes: 1234, Duration: ms(0.3)},
			"GET /HelloWorld.html HTTP/1.1 -> 200 (1234 bytes, 0.3 ms) from 127.0.0.1:5555"},
		{"not found", "request", &pb.WebRequest{Peer: "127.0.0.1:5555", Method: "GET", Target: "/missing.html", Proto: "HTTP/1.0",
			Status: 404, Bytes: 107, Duration: ms(0.1214), Reason: "open missing.html: no such file or directory"},
			"GET /missing.html HTTP/1.0 -> 404 (107 bytes, 0.121 ms) from 127.0.0.1:5555: open missing.html: no such file or directory"},
		{"head", "request", &pb.WebRequest{Peer: "[::1]:5555", Method: "HEAD", Target: "/", Proto: "HTTP/1.1", Status: 200, Duration: ms(2)},
			"HEAD / HTTP/1.1 -> 200 (0 bytes, 2 ms) from [::1]:5555"},
		{"bad request line", "request", &pb.WebRequest{Peer: "127.0.0.1:5555", Status: 400, Bytes: 130, Duration: ms(1), Reason: "malformed request line"},
			"request -> 400 (130 bytes, 1 ms) from 127.0.0.1:5555: malformed request line"},
		{"no version", "request", &pb.WebRequest{Peer: "127.0.0.1:5555", Method: "GET", Target: "/", Status: 400, Duration: ms(1), Reason: "no HTTP version"},
			"GET / -> 400 (0 bytes, 1 ms) from 127.0.0.1:5555: no HTTP version"},
		{"not allowed", "request", &pb.WebRequest{Peer: "127.0.0.1:5555", Method: "DELETE", Target: "/a", Proto: "HTTP/1.1", Status: 405, Bytes: 140, Duration: ms(0.05), Reason: "method DELETE not allowed"},
			"DELETE /a HTTP/1.1 -> 405 (140 bytes, 0.05 ms) from 127.0.0.1:5555: method DELETE not allowed"},
		{"timed out", "request", &pb.WebRequest{Peer: "127.0.0.1:5555", Duration: ms(10000), Reason: "read timeout with the request incomplete"},
			"request -> no response (0 bytes, 10000 ms) from 127.0.0.1:5555: read timeout with the request incomplete"},
		{"control characters quoted", "request", &pb.WebRequest{Peer: "127.0.0.1:5555", Method: "GET", Target: "/\x1b[2J", Proto: "HTTP/1.1", Status: 400, Duration: ms(1), Reason: "bad \x00"},
			`GET "/\x1b[2J" HTTP/1.1 -> 400 (0 bytes, 1 ms) from 127.0.0.1:5555: "bad \x00"`},
		{"server summary", "summary", &pb.WebServerSummary{Connections: 2, Requests: 4, Bytes: 650, ByStatus: map[uint32]uint64{404: 1, 200: 2, 0: 1}},
			"4 requests on 2 connections (no response: 1, 200: 2, 404: 1), 650 body bytes sent"},
		{"one of each", "summary", &pb.WebServerSummary{Connections: 1, Requests: 1, Bytes: 5, ByStatus: map[uint32]uint64{200: 1}},
			"1 request on 1 connection (200: 1), 5 body bytes sent"},
		{"idle server", "summary", &pb.WebServerSummary{}, "0 requests on 0 connections, 0 body bytes sent"},
		{"response", "response", &pb.WebResponse{Path: "/HelloWorld.html", StatusLine: "HTTP/1.1 200 OK", Status: 200, BodySize: 1234,
			Headers: []*pb.Header{{Name: "Content-Type", Value: "text/html; charset=utf-8"}, {Name: "Content-Length", Value: "1234"}}, Duration: ms(2)},
			"HTTP/1.1 200 OK  /HelloWorld.html  1234 bytes  [Content-Type: text/html; charset=utf-8 | Content-Length: 1234]"},
		{"with body", "response", &pb.WebResponse{Path: "/a.html", StatusLine: "HTTP/1.0 200 OK", Status: 200, BodySize: uint64(len(page)), Body: page},
			`HTTP/1.0 200 OK  /a.html  48 bytes  "<!DOCTYPE html>\n<html><body>Hello</body></html>\n"`},
		{"not found", "response", &pb.WebResponse{Path: "/missing.html", StatusLine: "HTTP/1.1 404 Not Found", Status: 404, BodySize: 107,
			Headers: []*pb.Header{{Name: "Content-Length", Value: "107"}}},
			"HTTP/1.1 404 Not Found  /missing.html  107 bytes  [Content-Length: 107]"},
		{"cut short", "response", &pb.WebResponse{Path: "/big.bin", StatusLine: "HTTP/1.1 200 OK", Status: 200, BodySize: 50000,
			Error: "read body after 50000 bytes: connection reset by peer"},
			"HTTP/1.1 200 OK  /big.bin  50000 bytes  error: read body after 50000 bytes: connection reset by peer"},
		{"no response", "response", &pb.WebResponse{Path: "/HelloWorld.html", Error: "dial tcp 127.0.0.1:6789: connect: connection refused"},
			"/HelloWorld.html: dial tcp 127.0.0.1:6789: connect: connection refused"},
		{"hostile header", "response", &pb.WebResponse{Path: "/", StatusLine: "HTTP/1.1 200 OK", Status: 200, Headers: []*pb.Header{{Name: "X", Value: "\x1b]0;owned\a"}}},
			`HTTP/1.1 200 OK  /  0 bytes  ["X: \x1b]0;owned\a"]`},
		{"client summary", "summary", &pb.WebClientSummary{Requests: 3, Ok: 2, Failed: 1}, "3 requests: 2 ok, 1 failed"},
		{"one request", "summary", &pb.WebClientSummary{Requests: 1, Ok: 1}, "1 request: 1 ok, 0 failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(tt.kind, tt.body); got != tt.want {
				t.Errorf("Describe(%s) =\n  %q, want\n  %q", tt.kind, got, tt.want)
			}
		})
	}
	// Maps and lists still show generically, sorted and in order.
	for _, tt := range []struct {
		kind string
		body proto.Message
		want string
	}{
		{"summary", &pb.WebServerSummary{Requests: 3, ByStatus: map[uint32]uint64{404: 1, 200: 2}}, "summary requests=3 by_status={200:2 404:1}"},
		{"response", &pb.WebResponse{Headers: []*pb.Header{{Name: "A", Value: "b"}}, Duration: ms(2)}, "response headers=[{name=A value=b}] duration=2ms"},
	} {
		if got := output.Describe(roles.Role{}, tt.kind, tt.body); got != tt.want {
			t.Errorf("generic = %q, want %q", got, tt.want)
		}
	}
}
