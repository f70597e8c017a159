package check

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/report"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// These tests judge made-up runs: the events a scenario's run would have
// produced, written out, so that each check's verdict and words are
// tested without processes or clocks.

// fake is a made-up run of a scenario.
type fake struct {
	t  *testing.T
	o  *judge.Observed
	sc *suite.Scenario
	t0 time.Time
}

// newFake loads a one-scenario suite of role (its lab is body) with the
// component under test plain or a plugin.
func newFake(t *testing.T, role, body string, plain bool) *fake {
	t.Helper()
	src := fmt.Sprintf("suite {\n  role = %q\n}\nscenario \"s\" {\n  check %q {}\n%s\n}\n", role, checkNames(role)[0], body)
	s, diags := suite.Parse("fake.hcl", []byte(src), Graders())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sub := submission.Submission{Spec: lab.PluginSpec{From: lab.Builtin}}
	if plain {
		sub.Spec = lab.PluginSpec{From: lab.Plain, Command: []string{"/bin/true"}}
	}
	dir := t.TempDir()
	l, under, err := prepare(s.Scenarios[0], dir, sub)
	if err != nil {
		t.Fatal(err)
	}
	o := &judge.Observed{Lab: l, Under: under, Plain: plain, Files: s.Files, Dir: dir, Result: &run.Result{}}
	return &fake{t: t, o: o, sc: s.Scenarios[0], t0: time.Unix(1764147583, 0)}
}

func (f *fake) at(ms int) time.Time { return f.t0.Add(time.Duration(ms) * time.Millisecond) }

func (f *fake) component(name string) *lab.Component {
	for _, c := range f.o.Lab.Components {
		if c.Name == name {
			return c
		}
	}
	f.t.Fatalf("no component %s", name)
	return nil
}

// link records a datagram on c's link; seq numbers per direction.
func (f *fake) link(c string, d link.Direction, ms int, fate link.Fate, payload string) {
	comp := f.component(c)
	n := 0
	for _, ev := range f.o.Events {
		if ev.Component == comp && ev.Link != nil && ev.Link.Dir == d {
			n++
		}
	}
	ev := &link.Event{Time: f.at(ms), Dir: d, Seq: uint64(n), Size: len(payload), Fate: fate, Payload: []byte(payload)}
	f.o.Events = append(f.o.Events, run.Event{Component: comp, Source: run.FromLink, Time: ev.Time, Kind: "link", Link: ev})
}

// event records a role event of c.
func (f *fake) event(c string, ms int, ev proto.Message) {
	comp := f.component(c)
	kind, body, _ := roles.Unpack(ev)
	f.o.Events = append(f.o.Events, run.Event{Component: comp, Time: f.at(ms), Kind: kind, Body: body, Raw: ev})
}

// judge runs check name and returns its evidence, or the error.
func (f *fake) judge(name string, params map[string]string) []string {
	f.t.Helper()
	g, _ := Graders().Lookup(f.o.Under.Role.Name)
	c := g.Check(name)
	if c == nil {
		f.t.Fatalf("no check %s", name)
	}
	set := map[string]cty.Value{}
	for k, v := range params {
		set[k] = cty.StringVal(v)
	}
	ev, err := c.Judge(f.o, judge.NewParams(c, set))
	if err != nil {
		return []string{"ERROR " + err.Error()}
	}
	return ev
}

// checkNames lists the names of role's checks.
func checkNames(role string) []string {
	g, _ := Graders().Lookup(role)
	return g.CheckNames()
}

// want checks evidence: none when wants is empty, else each want in a line.
func want(t *testing.T, check string, got []string, wants ...string) {
	t.Helper()
	if len(wants) == 0 {
		if len(got) > 0 {
			t.Errorf("%s: want a pass, got:\n  %s", check, strings.Join(got, "\n  "))
		}
		return
	}
	all := strings.Join(got, "\n")
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("%s: evidence lacks %q:\n  %s", check, w, strings.Join(got, "\n  "))
		}
	}
}

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
func threePings(t *testing.T, lab string, plain bool) *fake {
	f := newFake(t, "ping_client", lab, plain)
	f.link("student", link.ToServer, 0, link.Delivered, ping(1, 0))
	f.link("student", link.ToClient, 10, link.Delivered, reply(1, 0))
	f.link("student", link.ToServer, 20, link.Delivered, ping(2, 20))
	f.link("student", link.ToClient, 21, link.Dropped, reply(2, 20))
	f.link("student", link.ToServer, 1020, link.Delivered, ping(3, 1020))
	f.link("student", link.ToClient, 2520, link.Delivered, reply(3, 1020))
	return f
}

func TestPingClientChecks(t *testing.T) {
	tests := []struct {
		name   string
		plain  bool
		claims func(f *fake)
		check  string
		params map[string]string
		wants  []string
	}{
		{"a reply held when the run ended", false, func(f *fake) {
			f.event("student", 30, pcReply(2, 10, reply(1, 0)))
		}, "timeouts", nil, []string{"ping 2: the reply had not come back when the run ended, 1ms after the ping; the client reported a reply (RTT 10ms)"}},
		{"right timeouts", false, func(f *fake) {
			f.event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.event("student", 1020, pcTimeout(2))
			f.event("student", 2020, pcTimeout(3))
		}, "timeouts", nil, nil},
		{"an RTT for a dropped reply", true, func(f *fake) {
			f.event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.event("student", 30, pcReply(2, 10, "RTT 0.01"))
			f.event("student", 2020, pcTimeout(3))
		}, "timeouts", nil, []string{"ping 2: the link dropped the reply; the client printed a reply (RTT 10ms) instead of Request timed out"}},
		{"a late reply taken", false, func(f *fake) {
			f.event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.event("student", 1020, pcTimeout(2))
			f.event("student", 2520, pcReply(3, 1500, reply(3, 1020)))
		}, "timeouts", nil, []string{"ping 3: the reply came 1.50s after the ping, past the 1.00s timeout; the client reported a reply (RTT 1.50s)"}},
		{"a reply timed out", false, func(f *fake) {
			f.event("student", 1000, pcTimeout(1))
		}, "timeouts", nil, []string{"ping 1: the reply came 10ms after the ping, within the 1.00s timeout; the client reported Request timed out",
			"ping 2: the link dropped the reply; the client reported nothing about it (want Request timed out)"}},
		{"the next ping's reply", true, func(f *fake) {
			f.event("student", 1020, pcReply(2, 10, "PING 1 1764147583.000 RTT: 0.01"))
		}, "replies", nil, []string{"ping 2: the client printed the reply to ping 1 (\"PING 1 1764147583.000 RTT: 0.01\") as ping 2's"}},
		{"replies to pings never sent", false, func(f *fake) {
			f.event("student", 10, pcReply(7, 10, reply(7, 0)))
		}, "replies", nil, []string{"nothing to judge: the client reported neither a reply nor a timeout for a ping it sent"}},
		{"timeout after 5 s", false, func(f *fake) {
			f.event("student", 5020, pcTimeout(2))
		}, "timeout_length", nil, []string{"ping 2: the client said Request timed out 5.00s after sending it; the timeout is 1.00s"}},
		{"timeout after 1 s", false, func(f *fake) {
			f.event("student", 1030, pcTimeout(2))
		}, "timeout_length", nil, nil},
		{"RTT in milliseconds shown as seconds", true, func(f *fake) {
			f.event("student", 10, pcReply(1, 10000, reply(1, 0)))
		}, "rtt", nil, []string{"ping 1: the client printed an RTT of 10.00s, but the reply came 10ms after the ping"}},
		{"RTT within tolerance", false, func(f *fake) {
			f.event("student", 10, pcReply(1, 40, reply(1, 0)))
		}, "rtt", map[string]string{"tolerance": "50ms"}, nil},
		{"a client the machine kept waiting measured the wait", false, func(f *fake) {
			f.event("student", 400, pcReply(1, 390, reply(1, 0)))
		}, "rtt", nil, nil},
		{"an RTT longer than the time until the client said it", false, func(f *fake) {
			f.event("student", 400, pcReply(1, 900, reply(1, 0)))
		}, "rtt", nil, []string{"ping 1: the client reported an RTT of 900ms, but the reply came 10ms after the ping (on the link) and the client reported it 400ms after the ping"}},
		{"RTT past a tight tolerance", false, func(f *fake) {
			f.event("student", 10, pcReply(1, 40, reply(1, 0)))
		}, "rtt", map[string]string{"tolerance": "5ms"}, []string{"ping 1: the client reported an RTT of 40ms"}},
		{"right statistics", false, func(f *fake) {
			f.event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.event("student", 2600, pcSummary(10, 10, 10, 200.0/3))
		}, "statistics", nil, nil},
		{"min and max swapped, loss over received", false, func(f *fake) {
			f.event("student", 10, pcReply(1, 10, reply(1, 0)))
			f.event("student", 30, pcReply(3, 30, reply(3, 1020)))
			f.event("student", 2600, pcSummary(30, 20, 10, 100))
		}, "statistics", nil, []string{"the minimum RTT is 30ms, but the RTTs the client reported give 10ms",
			"the minimum RTT 30ms is above the maximum 10ms", "the packet loss is 100%, but 2 of the 3 pings got no reply within the timeout (66.67%)"}},
		{"no statistics printed", true, func(f *fake) {}, "statistics", nil, []string{"the client printed no statistics"}},
		{"loss not printed", true, func(f *fake) {
			f.event("student", 2600, pcSummary(math.NaN(), 0, 0, math.NaN()))
		}, "statistics", nil, []string{"the statistics lack the packet loss"}},
		{"format and sequence", false, func(f *fake) {}, "message_format", nil, nil},
		{"count", false, func(f *fake) {}, "count", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := pingClientLab
			if strings.Contains(tt.name, "held") {
				lab = delayingLab
			}
			f := threePings(t, lab, tt.plain)
			tt.claims(f)
			want(t, tt.check, f.judge(tt.check, tt.params), tt.wants...)
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
			f := newFake(t, "ping_client", pingClientLab, strings.HasSuffix(tt.name, "plain"))
			for i, p := range tt.pings {
				f.link("student", link.ToServer, i, link.Delivered, p)
			}
			want(t, tt.check, f.judge(tt.check, nil), tt.wants...)
		})
	}
}

const pingServerLab = `
  ping_server "student" {
    listen    = "127.0.0.1:0"
    drop_rate = 0.25
  }
  ping_client "reference" {
    server = ping_server.student.address
  }
`

func TestPingServerChecks(t *testing.T) {
	tests := []struct {
		name           string
		pings, dropped int
		echo           func(string) string
		check          string
		wants          []string
	}{
		{"upper-cased", 4, 1, strings.ToUpper, "echo_upper", nil},
		{"not upper-cased", 4, 0, func(s string) string { return s }, "echo_upper", []string{`the reply "Ping 1 1764147583.000" to "Ping 1 1764147583.000" is not the ping upper-cased ("PING 1 1764147583.000")`}},
		{"no answer", 4, 4, strings.ToUpper, "echo_upper", []string{"the server answered none of the 4 pings it received"}},
		{"a quarter dropped", 400, 100, strings.ToUpper, "drop_rate", nil},
		{"none dropped", 400, 0, strings.ToUpper, "drop_rate", []string{"the server left 0 of 400 pings unanswered (0.0%); with drop_rate 0.25 that should be from"}},
		{"all dropped", 400, 400, strings.ToUpper, "drop_rate", []string{"the server left 400 of 400 pings unanswered (100.0%)"}},
		{"too few to tell", 20, 5, strings.ToUpper, "drop_rate", []string{"ERROR only 20 pings reached the server"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "ping_server", pingServerLab, false)
			for i := 1; i <= tt.pings; i++ {
				f.link("reference", link.ToServer, i, link.Delivered, ping(i, 0))
				if i > tt.dropped {
					f.link("reference", link.ToClient, i, link.Delivered, tt.echo(ping(i, 0)))
				}
			}
			want(t, tt.check, f.judge(tt.check, nil), tt.wants...)
		})
	}
}

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
		claims func(f *fake)
		check  string
		wants  []string
	}{
		{"exactly the drops", false, func(f *fake) { f.event("student", 400, hsLost(3, 4)) }, "lost", nil},
		{"a drop missed, a delivery called lost", false, func(f *fake) {
			f.event("student", 400, hsLost(3, 3))
			f.event("student", 400, hsLost(6, 6))
		}, "lost", []string{"heartbeat 4: the link dropped it; the server never reported it lost",
			"heartbeat 6: the server reported it lost, but the link delivered it"}},
		{"down once, on time", false, func(f *fake) {
			f.event("student", 2000, down)
			f.event("student", 5000, up)
		}, "down", nil},
		{"never down", false, func(f *fake) {}, "down", []string{"the client fell silent for 12.00s after heartbeat 10; the server never declared it down"}},
		{"down late", false, func(f *fake) { f.event("student", 4000, down) }, "down", []string{"the server first declared it down 3.10s into the silence, want about dead_after (1.00s)"}},
		{"down on time, then repeated while silent", false, func(f *fake) {
			f.event("student", 2000, down)
			f.event("student", 3000, down)
			f.event("student", 8000, down)
		}, "down", nil},
		{"down late, then repeated", false, func(f *fake) {
			f.event("student", 4000, down)
			f.event("student", 9000, down)
		}, "down", []string{"the server first declared it down 3.10s into the silence, want about dead_after (1.00s) (it repeated the notice once in this silence, which is fine)"}},
		{"plain: down any time in the silence", true, func(f *fake) { f.event("student", 3500, down) }, "down", nil},
		{"up again", false, func(f *fake) { f.event("student", 12910, up) }, "up", nil},
		{"not up again", false, func(f *fake) {}, "up", []string{"heartbeat 11 came after 12.00s of silence; the server did not report the client up again"}},
		{"down while beating", false, func(f *fake) { f.event("student", 450, down) }, "no_false_down", []string{"the server declared the client down 50ms after heartbeat 5 arrived"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "heartbeat_server", heartbeatServerLab, tt.plain)
			if tt.check == "lost" || tt.check == "no_false_down" {
				// seqs 1..6 every 100 ms; the link drops 3 and 4.
				for s := 1; s <= 6; s++ {
					fate := link.Delivered
					if s == 3 || s == 4 {
						fate = link.Dropped
					}
					f.link("reference", link.ToServer, s*100-100, fate, fmt.Sprintf("Heartbeat %d 1764147583.%d", s, s))
				}
			} else {
				// seqs 1..10 every 100 ms, then 12 s of silence, then 11 and 12.
				for s := 1; s <= 12; s++ {
					ms := s*100 - 100
					if s > 10 {
						ms = 900 + 12000 + (s-11)*100
					}
					f.link("reference", link.ToServer, ms, link.Delivered, fmt.Sprintf("Heartbeat %d 1764147583.%d", s, s))
				}
			}
			tt.claims(f)
			want(t, tt.check, f.judge(tt.check, nil), tt.wants...)
		})
	}
}

const webServerLab = `
  web_server "student" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "reference" {
    server = web_server.student.address
  }
`

func wcResponse(path string, status uint32, headers map[string]string, body string) *pb.WebClientEvent {
	r := &pb.WebResponse{Path: path, Status: status, StatusLine: fmt.Sprintf("HTTP/1.1 %d X", status), Body: []byte(body), BodySize: uint64(len(body))}
	for _, name := range []string{"Content-Type", "Content-Length"} {
		if v, ok := headers[name]; ok {
			r.Headers = append(r.Headers, &pb.Header{Name: name, Value: v})
		}
	}
	return &pb.WebClientEvent{Event: &pb.WebClientEvent_Response{Response: r}}
}

func TestWebServerChecks(t *testing.T) {
	hello := "<html>hello</html>\n"
	good := map[string]string{"Content-Type": "text/html; charset=utf-8", "Content-Length": fmt.Sprint(len(hello))}
	tests := []struct {
		name      string
		responses []*pb.WebClientEvent
		probes    []judge.ProbeResult
		check     string
		wants     []string
	}{
		{"the file", []*pb.WebClientEvent{wcResponse("/hello.html", 200, good, hello)}, nil, "ok", nil},
		{"a short body", []*pb.WebClientEvent{wcResponse("/hello.html", 200, good, hello[:5])}, nil, "ok", []string{"GET /hello.html: 200 with 5 bytes, but the file has 19"}},
		{"the skeleton's trailing CRLF", []*pb.WebClientEvent{wcResponse("/hello.html", 200, nil, hello+"\r\n")}, nil, "ok", nil},
		{"trailing CRLF is not exact", []*pb.WebClientEvent{wcResponse("/hello.html", 200, nil, hello+"\r\n")}, nil, "exact",
			[]string{`GET /hello.html: 200 with 21 bytes, but the file has 19: after it comes "\r\n"`}},
		{"another file", []*pb.WebClientEvent{wcResponse("/hello.html", 200, nil, "<html>bye</html>\n")}, nil, "ok", []string{"not the file's 19 (first difference at byte 6)"}},
		{"no headers", []*pb.WebClientEvent{wcResponse("/hello.html", 200, nil, hello)}, nil, "headers", []string{"no Content-Length header", "no Content-Type header"}},
		{"no 200, no headers to judge", []*pb.WebClientEvent{wcResponse("/hello.html", 404, nil, "")}, nil, "headers", []string{"nothing to judge"}},
		{"traversal without an answer", []*pb.WebClientEvent{{Event: &pb.WebClientEvent_Response{Response: &pb.WebResponse{Path: "/../secret.txt", Error: "connection refused"}}}}, nil, "traversal",
			[]string{"must be refused with an answer"}},
		{"wrong headers", []*pb.WebClientEvent{wcResponse("/hello.html", 200, map[string]string{"Content-Type": "text/plain", "Content-Length": "3"}, hello)}, nil, "headers",
			[]string{"Content-Length: 3, but the file has 19 bytes", "Content-Type: text/plain, want text/html"}},
		{"404", []*pb.WebClientEvent{wcResponse("/nope.html", 404, nil, "")}, nil, "not_found", nil},
		{"200 for nothing", []*pb.WebClientEvent{wcResponse("/nope.html", 200, nil, "")}, nil, "not_found", []string{"GET /nope.html (no such file): got \"HTTP/1.1 200 X\", want 404 Not Found"}},
		{"traversal refused", []*pb.WebClientEvent{wcResponse("/../secret.txt", 404, nil, "")}, nil, "traversal", nil},
		{"traversal served", []*pb.WebClientEvent{wcResponse("/%2e%2e/secret.txt", 200, nil, "the secret\n")}, nil, "traversal",
			[]string{"GET /%2e%2e/secret.txt: \"HTTP/1.1 200 X\" with the content of secret.txt, a file outside the document root"}},
		{"400", nil, []judge.ProbeResult{{Sent: []byte("GET\r\n\r\n"), Reply: []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")}}, "malformed", nil},
		{"no answer to garbage", nil, []judge.ProbeResult{{Sent: []byte("GARBAGE\r\n\r\n")}, {Sent: []byte("GET\r\n\r\n"), Reply: []byte("HTTP/1.0 404 Not Found\r\n\r\n")}}, "malformed",
			[]string{`request "GARBAGE\r\n\r\n": the server closed the connection without an answer; want 400 Bad Request`,
				`request "GET\r\n\r\n": the server answered "HTTP/1.0 404 Not Found", want 400 Bad Request`}},
		{"served while one sat idle", []*pb.WebClientEvent{wcResponse("/hello.html", 200, good, hello)}, []judge.ProbeResult{{Held: true}}, "concurrent", nil},
		{"blocked by an idle one", []*pb.WebClientEvent{{Event: &pb.WebClientEvent_Response{Response: &pb.WebResponse{Path: "/hello.html", Error: "timeout"}}}},
			[]judge.ProbeResult{{Held: true}}, "concurrent", []string{"GET /hello.html: no whole response (timeout) while 1 other connection(s) sat idle"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "web_server", webServerLab, false)
			f.o.Files = map[string][]byte{"www/hello.html": []byte(hello), "secret.txt": []byte("the secret\n")}
			for _, r := range tt.responses {
				f.event("reference", 10, r)
			}
			f.o.Probes = tt.probes
			want(t, tt.check, f.judge(tt.check, nil), tt.wants...)
		})
	}
}

const webClientLab = `
  web_server "reference" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "student" {
    server = web_server.reference.address
    paths  = ["/hello.html"]
  }
`

func TestWebClientChecks(t *testing.T) {
	hello := "<html>hello</html>\n"
	request := func(method, target string, status uint32) *pb.WebServerEvent {
		return &pb.WebServerEvent{Event: &pb.WebServerEvent_Request{Request: &pb.WebRequest{Method: method, Target: target, Status: status, Reason: "malformed request line"}}}
	}
	tests := []struct {
		name    string
		plain   bool
		request *pb.WebServerEvent
		shown   *pb.WebClientEvent
		check   string
		wants   []string
	}{
		{"a GET", false, request("GET", "/hello.html", 200), nil, "request", nil},
		{"no slash", false, request("GET", "hello.html", 400), nil, "request", []string{`the request for /hello.html reached the server as "GET hello.html", without the target's leading "/"; it answered 400 (malformed request line)`}},
		{"another path", false, request("GET", "/other.html", 400), nil, "request", []string{`no request for /hello.html reached the server; it received "GET /other.html", answered 400 (malformed request line)`}},
		{"no slash: the status shown is judged", false, request("GET", "hello.html", 400), wcResponse("hello.html", 400, nil, ""), "status", nil},
		{"refused", false, request("GET", "/hello.html", 400), nil, "request", []string{"the server refused the request for /hello.html with 400: malformed request line"}},
		{"the status shown", false, request("GET", "/hello.html", 200), wcResponse("/hello.html", 200, nil, hello), "status", nil},
		{"no status shown", true, request("GET", "/hello.html", 200), wcResponse("/hello.html", 0, nil, ""), "status", []string{"/hello.html: the server answered 200; the client printed no status line"}},
		{"the body, printed", true, nil, wcResponse("hello.html", 200, nil, "\r\n"+hello+"\n"), "body", nil},
		{"half the body", false, nil, wcResponse("/hello.html", 200, nil, hello[:9]), "body", []string{"/hello.html: the client reported 9 bytes of body (9 in all), not the file's 19 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "web_client", webClientLab, tt.plain)
			f.o.Files = map[string][]byte{"www/hello.html": []byte(hello)}
			if tt.request != nil {
				f.event("reference", 5, tt.request)
			}
			if tt.shown != nil {
				f.event("student", 10, tt.shown)
			}
			want(t, tt.check, f.judge(tt.check, nil), tt.wants...)
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
		{"plain, its own rhythm", true, nil, []int{500, 500, 500}, "periodic", nil},
		{"plain, a flood", true, nil, []int{1, 1, 1}, "periodic", []string{"the heartbeats go out every 1ms"}},
		{"the format", false, []string{"Heartbeat 1 1764147583.5", "Heartbeat 2 1764147583.7 beat", "Ping 3 1764147583.9", "Heartbeat 4 1764147584"}, nil, "message_format", nil},
		{"no time", false, []string{"Heartbeat 1"}, nil, "message_format", []string{`datagram 1 "Heartbeat 1" is not "Heartbeat <seq> <time>"`}},
		{"a gap in the seqs", false, []string{"Heartbeat 1 1764147583", "Heartbeat 3 1764147583"}, nil, "sequence", []string{`heartbeat 2 "Heartbeat 3 1764147583" does not carry seq 2`}},
		{"too few", false, []string{"Heartbeat 1 1764147583"}, nil, "count", []string{"the client sent 1 heartbeats, want 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "heartbeat_client", heartbeatClientLab, tt.plain)
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
				f.link("student", link.ToServer, at, link.Delivered, b)
			}
			want(t, tt.check, f.judge(tt.check, nil), tt.wants...)
		})
	}
}

// TestFloodIsNotJudged checks that a component under test whose events
// passed the bound a scenario keeps scores nothing, and says why.
func TestFloodIsNotJudged(t *testing.T) {
	for _, dropped := range []int{0, 7} {
		f := newFake(t, "ping_client", pingClientLab, false)
		o := &observation{Observed: f.o, sc: f.sc, dropped: map[*lab.Component]int{f.o.Under: dropped}}
		sc := f.sc
		sr := &report.ScenarioResult{Name: sc.Name}
		for _, c := range sc.Checks {
			sr.Checks = append(sr.Checks, report.CheckResult{Name: c.Name, MaxPoints: c.Points})
		}
		judgeRun(o, sr)
		flooded := strings.Contains(sr.Error, fmt.Sprintf("made more than %d events", maxObservedEvents)) &&
			strings.Contains(sr.Error, "7 more were not kept")
		if flooded != (dropped > 0) || dropped > 0 && (sr.Passed || sr.Points != 0) {
			t.Errorf("%d dropped: error %q, passed %v, %v points", dropped, sr.Error, sr.Passed, sr.Points)
		}
	}
}

// TestFloodEndsTheRun: a server under test that floods its output and
// never binds (the unfilled skeleton printing "Ready to serve..." in a
// loop) has scored nothing once it passes the bound; its run ends there,
// not at the server's start timeout.
func TestFloodEndsTheRun(t *testing.T) {
	sub := plainStudent(t, "web_server", "zoe", "WebServer.py")
	sub.Spec.StartTimeout = 2 * time.Minute // far past the flood
	sc := builtin(t, "web_server").Scenarios[0]
	env := testEnv(t)
	o, err := observe(t.Context(), sc, t.TempDir(), sub, env)
	if err != nil {
		t.Fatal(err)
	}
	if o.dropped[o.Under] == 0 {
		t.Fatalf("the flood did not pass the bound: %d events kept", o.kept[o.Under])
	}
	for _, c := range o.Result.Components {
		if c.Err != nil && strings.Contains(c.Err.Error(), "start_timeout") {
			t.Errorf("%s: %v; the run should have ended at the flood", c.Component.Name, c.Err)
		}
	}
	if o.Result.Interrupted {
		t.Error("the run's end at the flood counts as an interrupt")
	}
}

// TestLateReadPingIsJudgedFromItsArrival: on a busy machine the link may
// read a ping well after the kernel received it; the checks judge from the
// kernel's stamp, so the client's timeout is not taken for an early one.
func TestLateReadPingIsJudgedFromItsArrival(t *testing.T) {
	for _, stamped := range []bool{false, true} {
		f := newFake(t, "ping_client", pingClientLab, true)
		f.link("student", link.ToServer, 0, link.Delivered, ping(1, 0))
		f.link("student", link.ToClient, 10, link.Delivered, reply(1, 0))
		f.link("student", link.ToServer, 170, link.Delivered, ping(2, 20)) // read 150 ms late
		f.link("student", link.ToClient, 171, link.Dropped, reply(2, 20))
		if stamped {
			f.o.Events[2].Link.Arrived = f.at(20)
		}
		f.event("student", 10, pcReply(1, 10, reply(1, 0)))
		f.event("student", 1020, pcTimeout(2))
		got := f.judge("timeout_length", nil)
		if stamped {
			want(t, "timeout_length", got)
		} else {
			want(t, "timeout_length", got, "ping 2: the client said Request timed out 850ms after sending it")
		}
	}
}
