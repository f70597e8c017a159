package ping_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/host/check/judge/internal/judgetest"
	pinger "github.com/socklab/socklab/host/check/judge/ping"
	"github.com/socklab/socklab/host/link"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

const pingClientLab = `
  ping_server "reference" {
    listen = "127.0.0.1:0"
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 3
    timeout = "1s"
    link {
      loss = 0.1
    }
  }
`

// delayingLab loses nothing: a reply "dropped" was held back when the run
// ended.
const delayingLab = `
  ping_server "reference" {
    listen = "127.0.0.1:0"
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 3
    timeout = "1s"
    link {
      to_client {
        delay = "1500ms"
      }
    }
  }
`

func ping(seq int, ms int) string {
	return fmt.Sprintf("Ping %d %d.%03d", seq, 1764147583+ms/1000, ms%1000)
}
func reply(seq int, ms int) string { return strings.ToUpper(ping(seq, ms)) }
func rtt(ms float64) *durationpb.Duration {
	return durationpb.New(time.Duration(ms * float64(time.Millisecond)))
}

func pcReply(seq uint32, ms float64, payload string) *pb.PingClientEvent {
	return &pb.PingClientEvent{Event: &pb.PingClientEvent_Reply{Reply: &pb.PingReply{Seq: seq, Rtt: rtt(ms), Payload: []byte(payload)}}}
}

func pcTimeout(seq uint32) *pb.PingClientEvent {
	return &pb.PingClientEvent{Event: &pb.PingClientEvent_Timeout{Timeout: &pb.PingTimeout{Seq: seq}}}
}

func pcSummary(min, avg, max, loss float64) *pb.PingClientEvent {
	s := &pb.PingClientSummary{Transmitted: 3, LossPercent: loss}
	if !math.IsNaN(min) {
		s.RttMin, s.RttAvg, s.RttMax = rtt(min), rtt(avg), rtt(max)
	}
	return &pb.PingClientEvent{Event: &pb.PingClientEvent_Summary{Summary: s}}
}

// threePings is a ping client's run: ping 1 answered in 10 ms, ping 2
// lost on the way back, ping 3 answered after 1.5 s (late).
func threePings(t *testing.T, lab string, plain bool) *judgetest.Fake {
	f := judgetest.New(t, pinger.Client(), lab, plain)
	f.Link("student", link.ToServer, 0, link.Delivered, ping(1, 0))
	f.Link("student", link.ToClient, 10, link.Delivered, reply(1, 0))
	f.Link("student", link.ToServer, 20, link.Delivered, ping(2, 20))
	f.Link("student", link.ToClient, 21, link.Dropped, reply(2, 20))
	f.Link("student", link.ToServer, 1020, link.Delivered, ping(3, 1020))
	f.Link("student", link.ToClient, 2520, link.Delivered, reply(3, 1020))
	return f
}

func TestPingClientChecks(t *testing.T) {
	tests := []struct {
		name   string
		plain  bool
		claims func(f *judgetest.Fake)
		check  string
		params map[string]string
		wants  []string
	}{
		{"a reply held when the run ended", false, func(f *judgetest.Fake) {
			f.Event("student", 30, pcReply(2, 10, reply(1, 0)))
		}, "timeouts", nil, []string{"ping 2: the reply had not come back when the run ended, 1ms after the ping; the client reported a reply (RTT 10ms)"}},
		{"right timeouts", false, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.Event("student", 1020, pcTimeout(2))
			f.Event("student", 2020, pcTimeout(3))
		}, "timeouts", nil, nil},
		{"an RTT for a dropped reply", true, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.Event("student", 30, pcReply(2, 10, "RTT 0.01"))
			f.Event("student", 2020, pcTimeout(3))
		}, "timeouts", nil, []string{"ping 2: the link dropped the reply; the client printed a reply (RTT 10ms) instead of Request timed out"}},
		{"a late reply taken", false, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.Event("student", 1020, pcTimeout(2))
			f.Event("student", 2520, pcReply(3, 1500, reply(3, 1020)))
		}, "timeouts", nil, []string{"ping 3: the reply came 1.50s after the ping, past the 1.00s timeout; the client reported a reply (RTT 1.50s)"}},
		{"a reply timed out", false, func(f *judgetest.Fake) {
			f.Event("student", 1000, pcTimeout(1))
		}, "timeouts", nil, []string{"ping 1: the reply came 10ms after the ping, within the 1.00s timeout; the client reported Request timed out",
			"ping 2: the link dropped the reply; the client reported nothing about it (want Request timed out)"}},
		{"the next ping's reply", true, func(f *judgetest.Fake) {
			f.Event("student", 1020, pcReply(2, 10, "PING 1 1764147583.000 RTT: 0.01"))
		}, "replies", nil, []string{"ping 2: the client printed the reply to ping 1 (\"PING 1 1764147583.000 RTT: 0.01\") as ping 2's"}},
		{"replies to pings never sent", false, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(7, 10, reply(7, 0)))
		}, "replies", nil, []string{"nothing to judge: the client reported neither a reply nor a timeout for a ping it sent"}},
		{"timeout after 5 s", false, func(f *judgetest.Fake) {
			f.Event("student", 5020, pcTimeout(2))
		}, "timeout_length", nil, []string{"ping 2: the client said Request timed out 5.00s after sending it; the timeout is 1.00s"}},
		{"timeout after 1 s", false, func(f *judgetest.Fake) {
			f.Event("student", 1030, pcTimeout(2))
		}, "timeout_length", nil, nil},
		{"RTT in milliseconds shown as seconds", true, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(1, 10000, reply(1, 0)))
		}, "rtt", nil, []string{"ping 1: the client printed an RTT of 10.00s, but the reply came 10ms after the ping"}},
		{"RTT within tolerance", false, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(1, 40, reply(1, 0)))
		}, "rtt", map[string]string{"tolerance": "50ms"}, nil},
		{"a client the machine kept waiting measured the wait", false, func(f *judgetest.Fake) {
			f.Event("student", 400, pcReply(1, 390, reply(1, 0)))
		}, "rtt", nil, nil},
		{"an RTT longer than the time until the client said it", false, func(f *judgetest.Fake) {
			f.Event("student", 400, pcReply(1, 900, reply(1, 0)))
		}, "rtt", nil, []string{"ping 1: the client reported an RTT of 900ms, but the reply came 10ms after the ping (on the link) and the client reported it 400ms after the ping"}},
		{"RTT past a tight tolerance", false, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(1, 40, reply(1, 0)))
		}, "rtt", map[string]string{"tolerance": "5ms"}, []string{"ping 1: the client reported an RTT of 40ms"}},
		{"right statistics", false, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.Event("student", 2600, pcSummary(10, 10, 10, 200.0/3))
		}, "statistics", nil, nil},
		{"min and max swapped, loss over received", false, func(f *judgetest.Fake) {
			f.Event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.Event("student", 30, pcReply(3, 30, reply(3, 1020)))
			f.Event("student", 2600, pcSummary(30, 20, 10, 100))
		}, "statistics", nil, []string{"the minimum RTT is 30ms, but the RTTs the client reported give 10ms",
			"the minimum RTT 30ms is above the maximum 10ms", "the packet loss is 100%, but 2 of the 3 pings got no reply within the timeout (66.67%)"}},
		{"no statistics printed", true, func(f *judgetest.Fake) {}, "statistics", nil, []string{"the client printed no statistics"}},
		{"loss not printed", true, func(f *judgetest.Fake) {
			f.Event("student", 2600, pcSummary(math.NaN(), 0, 0, math.NaN()))
		}, "statistics", nil, []string{"the statistics lack the packet loss"}},
		{"format and sequence", false, func(f *judgetest.Fake) {}, "message_format", nil, nil},
		{"count", false, func(f *judgetest.Fake) {}, "count", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := pingClientLab
			if strings.Contains(tt.name, "held") {
				lab = delayingLab
			}
			f := threePings(t, lab, tt.plain)
			tt.claims(f)
			judgetest.Want(t, tt.check, f.Judge(tt.check, tt.params), tt.wants...)
		})
	}
}

func TestPingClientFormatAndSequence(t *testing.T) {
	tests := []struct {
		name  string
		pings []string
		check string
		wants []string
	}{
		{"lower case", []string{"ping 1 1764147583.1"}, "message_format", []string{`datagram 1 "ping 1 1764147583.1" is not "Ping <seq> <time>" (like "Ping 1 1764147583.123456"): it starts "ping", not "Ping"`}},
		{"another word", []string{"Hello 1 1764147583.1"}, "message_format", []string{`it starts "Hello", not "Ping"`}},
		{"no seq", []string{"Ping 1764147583.1"}, "message_format", []string{`"1764147583.1" after "Ping" is no seq`}},
		{"no time", []string{"Ping 1"}, "message_format", []string{`datagram 1 "Ping 1" is not "Ping <seq> <time>" (like "Ping 1 1764147583.123456"): no time after the seq`}},
		{"a date for the time", []string{"Ping 1 Thu Nov 26 10:41:38 2026"}, "message_format", nil},
		{"time.ctime()", []string{"Ping 1 Mon Dec  7 00:10:15 2026"}, "message_format", nil},
		{"ISO 8601", []string{"Ping 1 2026-12-07T00:10:15.123456"}, "message_format", nil},
		{"a time off the clock", []string{"Ping 1 1000"}, "message_format", []string{"carries the time 1000"}},
		{"a trailing newline", []string{"Ping 1 1764147583.0\n"}, "message_format", nil},
		{"from 0", []string{"Ping 0 1764147583.0"}, "sequence", []string{"the first ping \"Ping 0 1764147583.0\" has seq 0; seq counts from 1"}},
		{"a seq twice", []string{"Ping 1 1764147583.0", "Ping 1 1764147583.1"}, "sequence", []string{"ping 2 \"Ping 1 1764147583.1\" has seq 1, want 2"}},
		{"too few", []string{"Ping 1 1764147583.0", "Ping 2 1764147583.1"}, "count", []string{"the client sent 2 pings, want 3"}},
		{"nothing sent", nil, "count", []string{"the client sent 0 pings, want 3"}},
		{"nothing sent, plain", nil, "sequence", []string{"the client sent no ping to 127.0.0.1:12000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := judgetest.New(t, pinger.Client(), pingClientLab, strings.HasSuffix(tt.name, "plain"))
			for i, p := range tt.pings {
				f.Link("student", link.ToServer, i, link.Delivered, p)
			}
			judgetest.Want(t, tt.check, f.Judge(tt.check, nil), tt.wants...)
		})
	}
}

// TestLateReadPingIsJudgedFromItsArrival: on a busy machine the link may
// read a ping well after the kernel received it; the checks judge from the
// kernel's stamp, so the client's timeout is not taken for an early one.
func TestLateReadPingIsJudgedFromItsArrival(t *testing.T) {
	for _, stamped := range []bool{false, true} {
		f := judgetest.New(t, pinger.Client(), pingClientLab, true)
		f.Link("student", link.ToServer, 0, link.Delivered, ping(1, 0))
		f.Link("student", link.ToClient, 10, link.Delivered, reply(1, 0))
		f.Link("student", link.ToServer, 170, link.Delivered, ping(2, 20)) // read 150 ms late
		f.Link("student", link.ToClient, 171, link.Dropped, reply(2, 20))
		if stamped {
			f.O.Events[2].Link.Arrived = f.At(20)
		}
		f.Event("student", 10, pcReply(1, 10, reply(1, 0)))
		f.Event("student", 1020, pcTimeout(2))
		got := f.Judge("timeout_length", nil)
		if stamped {
			judgetest.Want(t, "timeout_length", got)
		} else {
			judgetest.Want(t, "timeout_length", got, "ping 2: the client said Request timed out 850ms after sending it")
		}
	}
}
