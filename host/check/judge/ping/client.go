package ping

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/plain"
	"github.com/socklab/socklab/internal/lazy"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// The Pinger's checks judge what crossed the client's link: the pings it
// sent (to-server datagrams) and the replies that came back (to-client),
// with the times the link saw them.

// exchange is what the network did with one ping.
type exchange struct {
	seq  int
	ping *link.Event // its datagram, to the server
	// reply is the server's answer, if one came to the link; dropped by the
	// server if the reference server says so.
	reply         *link.Event
	serverDropped bool
	// lossy: the link loses datagrams in that direction; a datagram it
	// "dropped" in a direction without loss was held back (delayed) when
	// the run ended.
	lossy [2]bool
}

// sent is when the client sent the ping: when the link received it.
func (e *exchange) sent() time.Time { return judge.Received(e.ping) }

// answered reports whether a reply reached the client, and when.
func (e *exchange) answered() (time.Time, bool) {
	if e.ping.Fate.Has(link.Dropped) || e.serverDropped || e.reply == nil || !e.reply.Fate.Has(link.Delivered) {
		return time.Time{}, false
	}
	return e.reply.Time, true
}

// fate says what happened to it in words.
func (e *exchange) fate(timeout time.Duration) string {
	switch {
	case e.ping.Fate.Has(link.Dropped) && !e.lossy[link.ToServer]:
		return "the ping was still held by the link when the run ended"
	case e.ping.Fate.Has(link.Dropped):
		return "the link dropped the ping"
	case e.serverDropped:
		return "the server dropped the ping"
	case e.reply == nil:
		return "no reply came back"
	case !e.reply.Fate.Has(link.Delivered) && (e.reply.Time.Sub(e.sent()) > timeout || !e.lossy[link.ToClient]):
		return "the reply had not come back when the run ended, " + judge.Human(e.reply.Time.Sub(e.sent())) + " after the ping"
	case !e.reply.Fate.Has(link.Delivered):
		return "the link dropped the reply"
	}
	at, _ := e.answered()
	rtt := at.Sub(e.sent())
	if rtt > timeout {
		return fmt.Sprintf("the reply came %s after the ping, past the %s timeout", judge.Human(rtt), judge.Human(timeout))
	}
	return fmt.Sprintf("the reply came %s after the ping, within the %s timeout", judge.Human(rtt), judge.Human(timeout))
}

var (
	// pingFormatRE is the sheet's message, "Ping <seq> <time>". The sheet
	// says only that the time is "the time when the client sends the
	// message": any text will do (time.time(), time.ctime(), ISO 8601).
	pingFormatRE = lazy.Regexp(`^Ping ([0-9]+) +(\S[^\r\n]*?)\s*$`)
	// unixTimeRE is a time in Unix seconds, which can be held to the clock.
	unixTimeRE = lazy.Regexp(`^[0-9]+(?:\.[0-9]+)?$`)
	// leadingSeqRE reads the seq of a ping or reply leniently.
	leadingSeqRE = lazy.Regexp(`(?i)^\s*ping\s*(\d{1,9})\b`)
)

// payloadSeq reads the seq of a ping or of its reply; -1 if it has none.
func payloadSeq(b []byte) int {
	m := leadingSeqRE().FindSubmatch(b)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// exchanges pairs the pings client sent with their replies. A ping whose
// seq cannot be read counts as the next one. A plain program's outcomes
// are read in the order it printed them, so its pings are numbered in the
// order it sent them, whatever seq they carry; and as it cannot be told
// the scenario's count, only that many of its pings are judged (the rest
// it sent before it was stopped).
func exchanges(o *judge.Observed, client *lab.Component) []*exchange {
	out := allExchanges(o, client)
	if n := int(client.Config.(*pb.PingClientConfig).GetCount()); o.Plain && client == o.Under && n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

func allExchanges(o *judge.Observed, client *lab.Component) []*exchange {
	var out []*exchange
	bySeq := map[int]*exchange{}
	plainOrder := o.Plain && client == o.Under
	for i, ev := range o.LinkEvents(client, link.ToServer) {
		seq := payloadSeq(ev.Payload)
		if seq < 0 || plainOrder {
			seq = i + 1
		}
		if bySeq[seq] != nil {
			continue // sent again: the first one counts
		}
		e := &exchange{seq: seq, ping: ev, lossy: [2]bool{client.Link.ToServer.Loss > 0, client.Link.ToClient.Loss > 0}}
		bySeq[seq] = e
		out = append(out, e)
	}
	for _, ev := range o.LinkEvents(client, link.ToClient) {
		for _, e := range out {
			if e.reply == nil && bytes.Equal(ev.Payload, upperASCII(e.ping.Payload)) {
				e.reply = ev
				break
			}
		}
	}
	for _, srv := range o.Peers(roles.PingServer().Name) {
		for _, d := range judge.Bodies[*pb.PingDrop](o, srv, "drop") {
			for _, e := range out {
				if bytes.Equal(d.Request[:min(len(d.Request), link.PayloadMax)], e.ping.Payload) {
					e.serverDropped = true
				}
			}
		}
	}
	return out
}

// claims are what the client said about each ping.
type claims struct {
	replies map[int]*pb.PingReply
	// said is when the client reported each reply: a plugin's stamp of
	// its event, the time a plain program's line was read.
	said     map[int]time.Time
	timeouts map[int]time.Time
	summary  *pb.PingClientSummary
}

func pingClaims(o *judge.Observed) claims {
	c := claims{replies: map[int]*pb.PingReply{}, said: map[int]time.Time{}, timeouts: map[int]time.Time{}}
	for _, ev := range o.Of(o.Under, "reply") {
		r := ev.Body.(*pb.PingReply)
		if _, dup := c.replies[int(r.Seq)]; !dup {
			c.replies[int(r.Seq)] = r
			c.said[int(r.Seq)] = ev.Time
		}
	}
	for _, ev := range o.Of(o.Under, "timeout") {
		seq := int(ev.Body.(*pb.PingTimeout).Seq)
		if _, dup := c.timeouts[seq]; !dup {
			c.timeouts[seq] = ev.Time
		}
	}
	if sums := judge.Bodies[*pb.PingClientSummary](o, o.Under, "summary"); len(sums) > 0 {
		c.summary = sums[len(sums)-1]
	}
	return c
}

// pingTimeout is the timeout the client was to use: its setting (a plain
// program cannot be told, so the sheet's 1 s, which is the default).
func pingTimeout(o *judge.Observed) time.Duration {
	return o.Under.Config.(*pb.PingClientConfig).Timeout.AsDuration()
}

// timeoutMargin is how far from the timeout a reply must arrive for a
// verdict: closer to it, a reply and a timeout are both right.
const timeoutMargin = 200 * time.Millisecond

// verdict is what the client should have said about e: "reply",
// "timeout", or "" when either is right.
func verdict(e *exchange, timeout time.Duration) string {
	at, ok := e.answered()
	switch {
	case !ok:
		return "timeout"
	case at.Sub(e.sent()) < timeout-timeoutMargin:
		return "reply"
	case at.Sub(e.sent()) > timeout+timeoutMargin:
		return "timeout"
	}
	return ""
}

func clientChecks() []*judge.Check {
	role := roles.PingClient().Name
	return []*judge.Check{
		{Role: role, Name: "message_format", Doc: `every ping is "Ping <seq> <time>", the time when it was sent (in Unix seconds, held to the clock, or as a date)`,
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				pings := o.LinkEvents(o.Under, link.ToServer)
				if len(pings) == 0 {
					return []string{o.SentNothing("ping")}, nil
				}
				for i, ev := range pings {
					m := pingFormatRE().FindSubmatch(ev.Payload)
					if m == nil || ev.Size > link.PayloadMax {
						e.Add("datagram %d %s is not \"Ping <seq> <time>\" (like \"Ping 1 1764147583.123456\"): %s", i+1, judge.Quote(ev.Payload), formatProblem(ev))
						continue
					}
					if !unixTimeRE().Match(m[2]) {
						continue // a date as text: nothing to hold to the clock
					}
					t, _ := strconv.ParseFloat(string(m[2]), 64)
					wire := float64(judge.Received(ev).UnixNano()) / 1e9
					if math.Abs(t-wire) > 5 {
						e.Add("ping %s carries the time %s, %s off the clock: it is the send time in Unix seconds, like Python's time.time()", m[1], m[2], judge.Human(time.Duration(math.Abs(t-wire)*1e9)))
					}
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "sequence", Doc: "the pings carry seq 1, 2, 3, ... in order, each once",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				pings := o.LinkEvents(o.Under, link.ToServer)
				if len(pings) == 0 {
					return []string{o.SentNothing("ping")}, nil
				}
				for i, ev := range pings {
					got := payloadSeq(ev.Payload)
					if got != i+1 {
						what := "no seq"
						if got >= 0 {
							what = "seq " + strconv.Itoa(got)
						}
						if i == 0 {
							return []string{fmt.Sprintf("the first ping %s has %s; seq counts from 1", judge.Quote(ev.Payload), what)}, nil
						}
						return []string{fmt.Sprintf("ping %d %s has %s, want %d (one more than the ping before)", i+1, judge.Quote(ev.Payload), what, i+1)}, nil
					}
				}
				return nil, nil
			}},
		{Role: role, Name: "count", Doc: "as many pings as asked for (the sheet's 10)",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				want := int(o.Under.Config.(*pb.PingClientConfig).Count)
				if got := len(allExchanges(o, o.Under)); got != want {
					return []string{fmt.Sprintf("the client sent %d pings, want %d", got, want)}, nil
				}
				return nil, nil
			}},
		{Role: role, Name: "timeouts", Doc: "Request timed out exactly for the pings whose reply did not come within the timeout (lost, or late), a reply for the others",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				c, timeout := pingClaims(o), pingTimeout(o)
				exs := exchanges(o, o.Under)
				if len(exs) == 0 {
					return []string{o.SentNothing("ping")}, nil
				}
				for _, x := range exs {
					r, replied := c.replies[x.seq]
					_, timedOut := c.timeouts[x.seq]
					switch want := verdict(x, timeout); {
					case want == "timeout" && replied:
						e.Add("ping %d: %s; the client %s a reply%s instead of Request timed out%s", x.seq, x.fate(timeout), o.Said(), rttText(r), readAs(o, r))
					case want == "reply" && timedOut:
						e.Add("ping %d: %s; the client %s Request timed out%s", x.seq, x.fate(timeout), o.Said(), readTimeout(o, x.seq))
					case !replied && !timedOut:
						wantText := "Request timed out"
						if want == "reply" {
							wantText = "the reply"
						}
						e.Add("ping %d: %s; the client %s nothing about it (want %s)%s", x.seq, x.fate(timeout), o.Said(), wantText, readOutgoing(o, x.ping.Payload))
					}
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "replies", Doc: "a reply is shown as the reply to the ping it answers, never to a later one",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				c := pingClaims(o)
				judged := 0 // pings sent that the client said something of
				for _, x := range exchanges(o, o.Under) {
					if _, ok := c.timeouts[x.seq]; ok {
						judged++
					}
					r, ok := c.replies[x.seq]
					if !ok {
						continue
					}
					judged++
					carried := payloadSeq(x.ping.Payload) // the seq this ping carried
					if carried < 0 {
						carried = x.seq
					}
					if got := shownSeq(r.Payload); got >= 0 && got != carried {
						e.Add("ping %d: the client %s the reply to ping %d (%s) as ping %d's", carried, o.Said(), got, judge.Quote(r.Payload), carried)
					}
				}
				if judged == 0 {
					return []string{judge.NothingToJudge("the client %s neither a reply nor a timeout for a ping it sent", o.Said())}, nil
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "timeout_length", Doc: "after a ping with no reply, the client waits about the timeout (1 s) before Request timed out",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				c, timeout := pingClaims(o), pingTimeout(o)
				judged := 0
				for _, x := range exchanges(o, o.Under) {
					at, ok := c.timeouts[x.seq]
					if !ok {
						continue
					}
					judged++
					waited := at.Sub(x.sent())
					if waited < timeout-100*time.Millisecond || waited > timeout+500*time.Millisecond {
						e.Add("ping %d: the client said Request timed out %s after sending it; the timeout is %s", x.seq, judge.Human(waited), judge.Human(timeout))
					}
				}
				if judged == 0 {
					return []string{judge.NothingToJudge("the client %s no Request timed out for a ping it sent", o.Said())}, nil
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "rtt", Doc: "each RTT shown is the time from the ping to its reply, within tolerance of what the link measured",
			Params: map[string]judge.Param{"tolerance": {Doc: "how much longer than the link's measure an RTT may be", Default: cty.StringVal("100ms")}},
			Judge: func(o *judge.Observed, p judge.Params) ([]string, error) {
				var e judge.Evidence
				c, tolerance := pingClaims(o), p.Duration("tolerance")
				judged := 0
				for _, x := range exchanges(o, o.Under) {
					r, ok := c.replies[x.seq]
					at, answered := x.answered()
					if !ok || !answered {
						continue
					}
					judged++
					if r.Rtt == nil {
						e.Add("ping %d: the client %s its reply without an RTT%s", x.seq, o.Said(), readAs(o, r))
						continue
					}
					wire, got := at.Sub(x.sent()), r.Rtt.AsDuration()
					// The link stamps a delivery once it has sent it: on a busy machine
					// that is late, and the client may well have measured less.
					lo, hi := wire-25*time.Millisecond-wire/10, wire+tolerance+wire/20
					// A client the machine kept waiting took the reply late and
					// measured that wait too: it may claim up to the time it
					// reported the reply, never more.
					late := ""
					if waited := c.said[x.seq].Sub(x.sent()); waited > wire {
						hi = waited + tolerance + wire/20
						late = fmt.Sprintf(" and the client reported it %s after the ping", judge.Human(waited))
					}
					if got < lo || got > hi {
						e.Add("ping %d: the client %s an RTT of %s, but the reply came %s after the ping (on the link)%s%s", x.seq, o.Said(), judge.Human(got), judge.Human(wire), late, readAs(o, r))
					}
				}
				if judged == 0 {
					return []string{judge.NothingToJudge("the client %s no reply to a ping that was answered", o.Said())}, nil
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "statistics", Doc: "min/avg/max of the RTTs shown, and the packet loss in percent of the pings sent",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				return judge.WithReadings(pingStatistics(o), o, judge.AsPrefix("statistics: ")), nil
			}},
	}
}

// pingStatistics judges the client's summary against its own RTTs and the
// link's count of pings without a reply in time.
func pingStatistics(o *judge.Observed) []string {
	c, timeout := pingClaims(o), pingTimeout(o)
	s := c.summary
	if s == nil {
		if o.Plain {
			return []string{"the client printed no statistics (min/avg/max RTT and packet loss)"}
		}
		return []string{"the client reported no Summary"}
	}
	var e judge.Evidence
	exs := exchanges(o, o.Under)
	var rtts []time.Duration
	lostLo, lostHi := 0, 0 // pings without a reply in time: certainly, possibly
	for _, x := range exs {
		switch verdict(x, timeout) {
		case "timeout":
			lostLo++
			lostHi++
		case "":
			lostHi++
		}
		if r, ok := c.replies[x.seq]; ok && r.Rtt != nil {
			rtts = append(rtts, r.Rtt.AsDuration())
		}
	}
	if len(rtts) > 0 {
		lo, hi, sum := rtts[0], rtts[0], time.Duration(0)
		for _, r := range rtts {
			lo, hi, sum = min(lo, r), max(hi, r), sum+r
		}
		avg := sum / time.Duration(len(rtts))
		for _, st := range []struct {
			name string
			got  interface{ AsDuration() time.Duration }
			set  bool
			want time.Duration
		}{{"minimum", s.RttMin, s.RttMin != nil, lo}, {"average", s.RttAvg, s.RttAvg != nil, avg}, {"maximum", s.RttMax, s.RttMax != nil, hi}} {
			if !st.set {
				e.Add("the statistics lack the %s RTT", st.name)
				continue
			}
			if got := st.got.AsDuration(); (got - st.want).Abs() > time.Millisecond+st.want/50 {
				e.Add("the %s RTT is %s, but the RTTs the client %s give %s", st.name, judge.Human(got), o.Said(), judge.Human(st.want))
			}
		}
		if s.RttMin != nil && s.RttMax != nil && s.RttMin.AsDuration() > s.RttMax.AsDuration() {
			e.Add("the minimum RTT %s is above the maximum %s", judge.Human(s.RttMin.AsDuration()), judge.Human(s.RttMax.AsDuration()))
		}
	}
	n := len(exs)
	switch {
	case math.IsNaN(s.LossPercent):
		e.Add("the statistics lack the packet loss")
	case n > 0:
		lo, hi := 100*float64(lostLo)/float64(n), 100*float64(lostHi)/float64(n)
		if s.LossPercent < lo-0.5 || s.LossPercent > hi+0.5 {
			e.Add("the packet loss is %s%%, but %d of the %d pings got no reply within the timeout (%s%%)", percent(s.LossPercent), lostLo, n, percent(lo))
		}
	}
	return e.Result()
}

// percent shows a percentage to two decimals at most.
func percent(p float64) string { return strconv.FormatFloat(math.Round(p*100)/100, 'f', -1, 64) }

// shownSeqRE finds the reply in what the client showed: a plain program's
// whole line may hold other words ("Ping message 2 received: PING 1 ...").
var shownSeqRE = lazy.Regexp(`(?i)\bping\s*(\d{1,9})\b`)

// shownSeq is the seq of the reply the client showed; -1 if none.
func shownSeq(b []byte) int {
	m := shownSeqRE().FindSubmatch(b)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// readAs says, for a plain program, how the lines that made the reply were
// read: a line can be read more than one way.
func readAs(o *judge.Observed, r *pb.PingReply) string {
	if !o.Plain || r == nil || len(r.Payload) == 0 {
		return ""
	}
	if rs := judge.Readings(o, judge.AsPrefix(fmt.Sprintf("ping %d's reply", r.Seq), fmt.Sprintf("the RTT of the reply on the line before (ping %d)", r.Seq))); len(rs) > 0 {
		return " (" + strings.Join(rs, "; ") + ")"
	}
	return " (read from the line " + judge.Quote(r.Payload) + ")"
}

// readOutgoing says, for a plain program, which line it printed that shows
// the ping it sent (payload): that line was no reply.
func readOutgoing(o *judge.Observed, payload []byte) string {
	sent := strings.TrimSpace(string(payload))
	rs := judge.Readings(o, func(as string) bool { return strings.HasPrefix(as, plain.OutgoingReading) })
	for _, r := range rs {
		if line, _, ok := plain.Reading(r); ok && sent != "" && strings.HasPrefix(line, sent) {
			return " (" + r + ", the ping the link saw it send)"
		}
	}
	return ""
}

// readTimeout says, for a plain program, which line was read as ping
// seq's timeout.
func readTimeout(o *judge.Observed, seq int) string {
	if rs := judge.Readings(o, judge.AsPrefix(fmt.Sprintf("ping %d's timeout", seq))); len(rs) > 0 {
		return " (" + strings.Join(rs, "; ") + ")"
	}
	return ""
}

func rttText(r *pb.PingReply) string {
	if r == nil || r.Rtt == nil {
		return ""
	}
	return " (RTT " + judge.Human(r.Rtt.AsDuration()) + ")"
}

// formatProblem says how a ping that is not "Ping <seq> <time>" was read.
func formatProblem(ev *link.Event) string {
	if ev.Size > link.PayloadMax {
		return fmt.Sprintf("it is %d bytes long", ev.Size)
	}
	f := strings.Fields(string(ev.Payload))
	switch {
	case len(f) == 0:
		return "it is empty"
	case f[0] != "Ping":
		return fmt.Sprintf("it starts %s, not \"Ping\"", judge.Quote([]byte(f[0])))
	case len(f) == 1:
		return "no seq after \"Ping\""
	case !unixTimeRE().MatchString(f[1]) || strings.Contains(f[1], "."):
		return fmt.Sprintf("%s after \"Ping\" is no seq", judge.Quote([]byte(f[1])))
	case len(f) == 2:
		return "no time after the seq"
	}
	return "the words are not separated by single spaces on one line"
}
