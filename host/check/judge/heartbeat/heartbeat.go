package heartbeat

import (
	"bytes"
	"fmt"
	"math"
	"sort"
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

// The Heartbeat's checks judge a server by the heartbeats its clients'
// links dropped and delivered, and a client by the datagrams on its link.

var (
	// The sheet asks for "a sequence number and current timestamp": a
	// leading word is the Pinger's habit, not a requirement.
	heartbeatSeqRE    = lazy.Regexp(`(?i)^\s*(?:(?:heartbeat|ping)\s+)?(\d{1,19})\s`)
	heartbeatFormatRE = lazy.Regexp(`^(?:(?:Heartbeat|Ping) ([0-9]+) ([0-9]+(?:\.[0-9]+)?)(?: [!-~]{1,64})?|([0-9]+) ([0-9]+(?:\.[0-9]+)?))\r?\n?$`)
)

func heartbeatSeq(b []byte) (uint64, bool) {
	m := heartbeatSeqRE().FindSubmatch(b)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(string(m[1]), 10, 64)
	return n, err == nil
}

// heartbeatForm names the form a heartbeat's seq was read from.
func heartbeatForm(b []byte) string {
	if m := heartbeatSeqRE().FindSubmatchIndex(b); m != nil && len(bytes.TrimSpace(b[:m[2]])) > 0 {
		return fmt.Sprintf("the %q form, seq after the word", "<word> <seq> <time>")
	}
	return fmt.Sprintf("the %q form, seq first", "<seq> <time>")
}

func sortedSeqs(set map[uint64]bool) []uint64 {
	var seqs []uint64
	for s := range set {
		seqs = append(seqs, s)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs
}

// beat is one heartbeat that reached the server.
type beat struct {
	seq uint64
	at  time.Time
}

// beats is what a reference client's link did with its heartbeats.
type beats struct {
	client    *lab.Component
	delivered []beat
	dropped   map[uint64]bool
	sent      map[uint64]bool
}

func clientBeats(o *judge.Observed) []beats {
	var out []beats
	for _, c := range o.Peers(roles.HeartbeatClient().Name) {
		b := beats{client: c, dropped: map[uint64]bool{}, sent: map[uint64]bool{}}
		for _, ev := range o.LinkEvents(c, link.ToServer) {
			seq, ok := heartbeatSeq(ev.Payload)
			if !ok {
				continue
			}
			b.sent[seq] = true
			if ev.Fate.Has(link.Delivered) {
				b.delivered = append(b.delivered, beat{seq, ev.Time})
			} else {
				b.dropped[seq] = true
			}
		}
		sort.Slice(b.delivered, func(i, j int) bool { return b.delivered[i].at.Before(b.delivered[j].at) })
		out = append(out, b)
	}
	return out
}

// silence is a stretch with no heartbeat between two that arrived.
type silence struct {
	before, after beat
}

func (s silence) length() time.Duration { return s.after.at.Sub(s.before.at) }

// deadAfter is the server's setting; a plain program's own is the
// threshold it printed ("considered down after 10 seconds"), unknown if it
// printed none.
func deadAfter(o *judge.Observed) (time.Duration, bool) {
	if !o.Plain {
		return o.Under.Config.(*pb.HeartbeatServerConfig).DeadAfter.AsDuration(), true
	}
	for _, r := range judge.Readings(o, judge.AsPrefix(plain.ThresholdReading)) {
		_, as, _ := plain.Reading(r)
		if d, err := time.ParseDuration(strings.TrimPrefix(as, plain.ThresholdReading)); err == nil && d > 0 {
			return d, true
		}
	}
	return 0, false
}

// downAfter is the threshold the down and up checks judge by: deadAfter,
// unless a plain program printed one longer than the check's silence,
// which the scenario's pause is not made for.
func downAfter(o *judge.Observed, p judge.Params) (time.Duration, bool) {
	d, known := deadAfter(o)
	if known && o.Plain && d > p.Duration("silence") {
		return 0, false
	}
	return d, known
}

// thresholdName names the threshold a server was judged by.
func thresholdName(o *judge.Observed) string {
	if o.Plain {
		return "the threshold it printed"
	}
	return "dead_after"
}

// silences are the gaps long enough that the server must declare the
// client down: past dead_after (a plain program: the threshold it
// printed), or for a plain program that printed none at least the check's
// silence.
func silences(o *judge.Observed, b beats, p judge.Params) []silence {
	limit, known := downAfter(o, p)
	if known {
		limit += 300 * time.Millisecond
	} else {
		limit = p.Duration("silence") - stampSlack
	}
	var out []silence
	for i := 1; i < len(b.delivered); i++ {
		if s := (silence{b.delivered[i-1], b.delivered[i]}); s.length() > limit {
			out = append(out, s)
		}
	}
	return out
}

// stampSlack allows for when the link stamps a heartbeat (once it has sent
// it on) against when the server under test stamps its own events: on a
// busy machine they can be tens of milliseconds apart either way.
const stampSlack = 250 * time.Millisecond

// silenceParam is the setting of the down and up checks: how long a
// silence a plain server (whose threshold the suite cannot set) must
// take for a client that has stopped. Common thresholds are 5-10 s.
var silenceParam = map[string]judge.Param{"silence": {
	Doc:     "the silence after which a plain server, whose own threshold the suite cannot set, must have declared the client down; the scenario's pause must be at least as long",
	Default: cty.StringVal("11s"),
}}

// lastBefore returns the last heartbeat that arrived at or before t.
func lastBefore(b beats, t time.Time) (beat, bool) {
	var last beat
	found := false
	for _, x := range b.delivered {
		if x.at.After(t) {
			break
		}
		last, found = x, true
	}
	return last, found
}

func serverChecks() []*judge.Check {
	role := roles.HeartbeatServer().Name
	return []*judge.Check{
		{Role: role, Name: "lost", Doc: "the heartbeats reported lost are exactly those the link dropped (between the first and the last that arrived)",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				claimed := map[uint64]bool{}
				for _, l := range judge.Bodies[*pb.HeartbeatLost](o, o.Under, "lost") {
					for s := l.FirstSeq; s <= l.LastSeq && s-l.FirstSeq < 1<<16; s++ {
						claimed[s] = true
					}
				}
				expected := 0
				clients := clientBeats(o)
				if len(clients) != 1 {
					return nil, fmt.Errorf("the lost check judges a scenario with one reference client, not %d", len(clients))
				}
				for _, b := range clients {
					if len(b.delivered) == 0 {
						continue
					}
					first, last := b.delivered[0].seq, b.delivered[0].seq
					for _, x := range b.delivered {
						first, last = min(first, x.seq), max(last, x.seq)
					}
					for s := first + 1; s < last; s++ {
						if b.dropped[s] {
							expected++
							if !claimed[s] {
								e.Add("heartbeat %d: the link dropped it; the server never reported it lost", s)
							}
						}
					}
					for _, s := range sortedSeqs(claimed) {
						switch {
						case !b.sent[s]:
							e.Add("heartbeat %d: the server reported it lost, but the client never sent it", s)
						case !b.dropped[s]:
							e.Add("heartbeat %d: the server reported it lost, but the link delivered it", s)
						}
					}
				}
				if expected == 0 {
					return nil, fmt.Errorf("the link dropped no heartbeat between two that arrived: choose another seed or more loss")
				}
				return judge.WithReadings(e.Result(), o, readLost), nil
			}},
		{Role: role, Name: "no_false_down", Doc: "no client is declared down while its heartbeats keep coming",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				limit, known := deadAfter(o)
				for _, b := range clientBeats(o) {
					if len(b.delivered) == 0 {
						return []string{judge.NothingToJudge("no heartbeat reached the server")}, nil
					}
					interval := b.client.Config.(*pb.HeartbeatClientConfig).Interval.AsDuration()
					if !known {
						limit = 2 * interval
					}
					for _, ev := range o.Of(o.Under, "down") {
						last, ok := lastBefore(b, ev.Time)
						if ok && ev.Time.Sub(last.at) < limit-stampSlack {
							e.Add("the server declared the client down %s after heartbeat %d arrived, while heartbeats came every %s", judge.Human(ev.Time.Sub(last.at)), last.seq, judge.Human(interval))
						}
					}
				}
				return judge.WithReadings(e.Result(), o, readDown), nil
			}},
		{Role: role, Name: "down", Doc: "a client silent for longer than dead_after (a plain server: the threshold it prints, else its own up to silence) is declared down about that long after its last heartbeat (the first notice is judged; repeats while the silence lasts are fine)",
			Params: silenceParam,
			Judge: func(o *judge.Observed, p judge.Params) ([]string, error) {
				var e judge.Evidence
				dead, known := downAfter(o, p)
				found := false
				for _, b := range clientBeats(o) {
					for _, s := range silences(o, b, p) {
						found = true
						var downs []time.Time
						for _, ev := range o.Of(o.Under, "down") {
							if ev.Time.After(s.before.at) && !ev.Time.After(s.after.at.Add(300*time.Millisecond)) {
								downs = append(downs, ev.Time)
							}
						}
						what := fmt.Sprintf("the client fell silent for %s after heartbeat %d", judge.Human(s.length()), s.before.seq)
						// The first notice is judged; the sheet does not ask
						// for one only, so a server repeating it while the
						// silence lasts is not wrong, just mentioned.
						repeats := ""
						switch n := len(downs) - 1; {
						case n == 1:
							repeats = " (it repeated the notice once in this silence, which is fine)"
						case n > 1:
							repeats = fmt.Sprintf(" (it repeated the notice %d times in this silence, which is fine)", n)
						}
						switch {
						case len(downs) == 0:
							e.Add("%s; the server never declared it down", what)
						case known:
							hi := dead + time.Second
							if o.Plain {
								hi += dead / 10 // a program that looks now and then
							}
							if at := downs[0].Sub(s.before.at); at < dead-stampSlack || at > hi {
								e.Add("%s; the server first declared it down %s into the silence, want about %s (%s)%s", what, judge.Human(at), thresholdName(o), judge.Human(dead), repeats)
							}
						}
					}
				}
				if !found {
					return nil, fmt.Errorf("no client fell silent for long enough (silence): give one a longer pause")
				}
				return judge.WithReadings(e.Result(), o, readDown), nil
			}},
		{Role: role, Name: "up", Doc: "a client that was down is reported up when its next heartbeat arrives",
			Params: silenceParam,
			Judge: func(o *judge.Observed, p judge.Params) ([]string, error) {
				var e judge.Evidence
				found := false
				for _, b := range clientBeats(o) {
					for _, s := range silences(o, b, p) {
						found = true
						ok := false
						for _, ev := range o.Of(o.Under, "up") {
							if d := ev.Time.Sub(s.after.at); d > -stampSlack && d < time.Second {
								ok = true
							}
						}
						if !ok {
							e.Add("heartbeat %d came after %s of silence; the server did not report the client up again", s.after.seq, judge.Human(s.length()))
						}
					}
				}
				if !found {
					return nil, fmt.Errorf("no client fell silent for long enough (silence): give one a longer pause")
				}
				return judge.WithReadings(e.Result(), o, readUpDown), nil
			}},
	}
}

// What a plain heartbeat server's lines were read as (host/plain's
// readings), for the checks that judge them.
func readLost(as string) bool {
	return judge.AsPrefix("heartbeats lost", "a count of lost heartbeats", "lost heartbeats without a seq")(as)
}
func readDown(as string) bool {
	return judge.AsPrefix("the client declared down", plain.ThresholdReading)(as)
}
func readUpDown(as string) bool { return readDown(as) || judge.AsPrefix("the client up again")(as) }

func clientChecks() []*judge.Check {
	role := roles.HeartbeatClient().Name
	sent := func(o *judge.Observed) []*link.Event { return o.LinkEvents(o.Under, link.ToServer) }
	return []*judge.Check{
		{Role: role, Name: "message_format", Doc: `every heartbeat is "<seq> <time>" or "Heartbeat <seq> <time>" (or with " <id>"), the time in Unix seconds when it was sent, and the reference server finds none malformed`,
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				evs := sent(o)
				if len(evs) == 0 {
					return []string{o.SentNothing("heartbeat")}, nil
				}
				for i, ev := range evs {
					m := heartbeatFormatRE().FindSubmatch(ev.Payload)
					if m == nil || ev.Size > link.PayloadMax {
						e.Add("datagram %d %s is not \"Heartbeat <seq> <time>\" or \"<seq> <time>\" (like \"Heartbeat 1 1764147583.123456\")", i+1, judge.Quote(ev.Payload))
						continue
					}
					if m[1] == nil {
						m = [][]byte{m[0], m[3], m[4]}
					}
					t, _ := strconv.ParseFloat(string(m[2]), 64)
					if off := math.Abs(t - float64(judge.Received(ev).UnixNano())/1e9); off > 2 {
						e.Add("heartbeat %s carries the time %s, %s off the clock: it is the send time in Unix seconds (read %s as seq %s, time %s: %s)", m[1], m[2], judge.Human(time.Duration(off*1e9)), judge.Quote(ev.Payload), m[1], m[2], heartbeatForm(ev.Payload))
					}
				}
				for _, srv := range o.Peers(roles.HeartbeatServer().Name) {
					for _, m := range judge.Bodies[*pb.HeartbeatMalformed](o, srv, "malformed") {
						e.Add("the reference server found %s malformed: %s", judge.Quote(m.Payload), m.Reason)
					}
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "sequence", Doc: "the heartbeats carry seq 1, 2, 3, ... in order",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				evs := sent(o)
				if len(evs) == 0 {
					return []string{o.SentNothing("heartbeat")}, nil
				}
				for i, ev := range evs {
					seq, ok := heartbeatSeq(ev.Payload)
					switch {
					case !ok:
						return []string{fmt.Sprintf("heartbeat %d %s does not carry seq %d: read as no seq at all", i+1, judge.Quote(ev.Payload), i+1)}, nil
					case seq != uint64(i+1):
						return []string{fmt.Sprintf("heartbeat %d %s does not carry seq %d: read as seq %d (%s)", i+1, judge.Quote(ev.Payload), i+1, seq, heartbeatForm(ev.Payload))}, nil
					}
				}
				return nil, nil
			}},
		{Role: role, Name: "periodic", Doc: "heartbeats go out every interval (a plain program's own, between 0.1 s and 10 s), within a quarter of it, all but one gap in five (one late and the next on time count once)",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				evs := sent(o)
				if n := int(o.Under.Config.(*pb.HeartbeatClientConfig).Count); o.Plain && n > 0 && len(evs) > n {
					evs = evs[:n] // what it sent after those, it sent while it was being stopped
				}
				if len(evs) < 3 {
					return []string{fmt.Sprintf("the client sent %d heartbeats, too few to tell their rhythm", len(evs))}, nil
				}
				var gaps []time.Duration
				for i := 1; i < len(evs); i++ {
					gaps = append(gaps, judge.Received(evs[i]).Sub(judge.Received(evs[i-1])))
				}
				interval := o.Under.Config.(*pb.HeartbeatClientConfig).Interval.AsDuration()
				if o.Plain {
					sorted := append([]time.Duration(nil), gaps...)
					sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
					interval = sorted[len(sorted)/2]
					if interval < 100*time.Millisecond || interval > 10*time.Second {
						return []string{fmt.Sprintf("the heartbeats go out every %s; a heartbeat interval is between 0.1s and 10s", judge.Human(interval))}, nil
					}
				}
				slack := interval/4 + 20*time.Millisecond
				off := 0
				for i := 0; i < len(gaps); i++ {
					g := gaps[i]
					if (g - interval).Abs() <= slack {
						continue
					}
					off++
					if i+1 < len(gaps) && g > interval && (g+gaps[i+1]-2*interval).Abs() <= slack {
						// One heartbeat late and the next on time: a delay on the
						// way (or of the sender, which kept its schedule), seen as
						// a long gap and a short one, is one disturbance.
						e.Add("heartbeat %d came %s late, heartbeat %d on time; the interval is %s", i+2, judge.Human(g-interval), i+3, judge.Human(interval))
						i++
						continue
					}
					e.Add("heartbeats %d and %d went out %s apart; the interval is %s", i+1, i+2, judge.Human(g), judge.Human(interval))
				}
				if off*5 <= len(gaps) {
					// One disturbance in five gaps may be off: a busy machine
					// delays a sleeping program now and then; a rhythm of its
					// own it does not have.
					return nil, nil
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "count", Doc: "as many heartbeats as asked for (a plain program, which cannot be told: at least as many)",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				want := int(o.Under.Config.(*pb.HeartbeatClientConfig).Count)
				got := len(sent(o))
				switch {
				case got == 0:
					return []string{o.SentNothing("heartbeat")}, nil
				case o.Plain && got < want:
					// A plain program cannot be told the count; it may beat for ever.
					return []string{fmt.Sprintf("the client sent %d heartbeats, want at least %d", got, want)}, nil
				case !o.Plain && want > 0 && got != want:
					return []string{fmt.Sprintf("the client sent %d heartbeats, want %d", got, want)}, nil
				}
				return nil, nil
			}},
	}
}
