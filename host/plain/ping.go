package plain

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/internal/lazy"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// pingClient reads UDPPingerClient.py's output: each result line is the
// outcome of the next ping; statistics lines fill in a Summary.
// PingClient reads the sheet's ping client: its reply, timeout and
// statistics lines.
func PingClient(proto.Message) roles.PlainReader {
	return &pingClient{stats: pingStats{loss: math.NaN(), lost: -1}}
}

type pingClient struct {
	outcomes int // results read so far: the next one is for ping outcomes+1
	pending  *pb.PingReply
	pendAt   time.Time
	stats    pingStats
}

// pingStats is what statistics lines said; NaN or nil for what they did not.
type pingStats struct {
	seen                  bool
	at                    time.Time
	min, avg, max         *time.Duration
	loss                  float64
	transmitted, received uint32
	lost                  int // -1: not printed
}

var (
	pingSeqRE   = lazy.Regexp(`(?i)\bping\s*(?:message|msg|number|no\.?|seq(?:uence)?(?:\s+number)?)?\s*[#:]?\s*(\d{1,9})\b`)
	timeoutRE   = lazy.Regexp(`(?i)\btim(?:e|ed)[\s-]*out\b|\btimeout\b|\bno (?:reply|response)\b|\blost\b`)
	sentRE      = lazy.Regexp(`(?i)\b(?:sent|send|sending)\b`)
	rttLabelRE  = lazy.Regexp(`(?i)\b(rtt|round[\s-]*trip(?:[\s-]*time)?|delay|elapsed)\b`)
	timeLabelRE = lazy.Regexp(`(?i)\btime\b`)
	statNameRE  = lazy.Regexp(`(?i)\b(min|minimum|max|maximum|avg|average|mean|mdev|stddev)\b`)
	slashStatRE = lazy.Regexp(`(?i)\b((?:min|avg|max|mdev|stddev)(?:/(?:min|avg|max|mdev|stddev))+)\b[^0-9]*?((?:[-+]?[0-9.eE]+)(?:/[-+]?[0-9.eE]+)+)`)
	lossRE      = lazy.Regexp(`(?i)\bloss\b`)
	countRE     = lazy.Regexp(`(?i)(\d+)\s+(?:packets?\s+)?(transmitted|received)\b|(\d+)\s+(packets?\s+sent)\b|\b(transmitted|received|sent)\s*[:=]\s*(\d+)`)
	// lostCountRE is a count of lost pings: "Lost=4", "Packets lost: 3",
	// "total number of packets lost = 1", "3 packets lost" (not "Ping 3
	// lost", which is that ping's timeout).
	lostCountRE = lazy.Regexp(`(?i)\blost\s*[:=]\s*(\d+)\b|\b(\d+)\s+packets?\s+(?:were\s+)?lost\b`)
	// addressRE is an address or a clock time: "127.0.0.1:5000",
	// "[::1]:5000", Python's tuple "('127.0.0.1', 12000)" (or "('::1',
	// 12000, 0, 0)"), "12:30:01". Brackets hold an address only with a
	// colon inside: "[6]" is a Python list.
	addressRE = lazy.Regexp(`\[[0-9a-fA-F.]*:[0-9a-fA-F:.]*\](?::\d+)?|\(\s*['"][^'"()]*['"]\s*,\s*\d+(?:\s*,\s*\d+)*\s*\)|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\blocalhost:\d+\b|\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\b`)
	// dateRE is a date as time.ctime() ("Mon Dec  7 00:10:15 2026") or
	// ISO 8601 ("2026-12-07 00:10:15.123") prints it: a ping's time
	// echoed in its reply.
	dateRE = lazy.Regexp(`(?i)\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:\s+\d{4})?\b|\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?`)
	// outgoingRE is the sheet's ping as the client builds it, "Ping <seq>
	// <time>", case and all: the sheet's server answers it upper-cased
	// ("PING 1 ..."), so a line that starts so shows what the program
	// sends.
	outgoingRE = lazy.Regexp(`^\s*(?:b['"])?Ping (\d{1,9}) +\S`)
	// replyWordRE on a "Ping <seq> ..." line makes it a reply after all:
	// "Ping 1 received", "Ping 1 PING 1 1764147583.5".
	replyWordRE = lazy.Regexp(`(?i)\b(?:receiv(?:e|ed|ing)|repl(?:y|ied)|respon(?:se|ded)|answer(?:ed)?|got|from|back|ok)\b|\bPING\b`)
)

// outgoing reports whether a line is the program's own ping as it sends
// it ("Ping 1 1796602021.815964", "Ping 1 Mon Dec  7 00:10:15 2026"): the
// sheet's message, with no round-trip time on it.
func outgoing(text, masked string) bool {
	m := outgoingRE().FindStringSubmatchIndex(text)
	if m == nil || rttLabelRE().MatchString(masked) || replyWordRE().MatchString(masked[m[1]:]) {
		return false
	}
	for _, n := range numbers(masked[m[3]:]) {
		if n.unit != 0 || n.percent || n.fraction && !n.unixTime() {
			return false // "Ping 1 1764147583.5 0.000213": a measurement
		}
	}
	return true
}

// maskAddresses blanks addresses, clock times and dates, keeping offsets,
// so that their digits are not read as numbers.
func maskAddresses(line string) string {
	blank := func(s string) string { return strings.Repeat(" ", len(s)) }
	return addressRE().ReplaceAllStringFunc(dateRE().ReplaceAllStringFunc(line, blank), blank)
}

func (p *pingClient) Line(text string, at time.Time) []proto.Message {
	masked := maskAddresses(text)
	if stats := p.statsLine(masked, at); stats != "" {
		return append(p.flush(), pingReading(at, text, "statistics: "+stats))
	}
	if timeoutRE().MatchString(masked) {
		evs := p.flush()
		p.outcomes++
		evs = append(evs, pingReading(at, text, fmt.Sprintf("ping %d's timeout (the %s outcome printed)", p.outcomes, ordinal(p.outcomes))))
		return append(evs, pingEvent(at, &pb.PingClientEvent{Event: &pb.PingClientEvent_Timeout{Timeout: &pb.PingTimeout{Seq: uint32(p.outcomes)}}}))
	}
	if outgoing(text, masked) {
		return append(p.flush(), pingReading(at, text, OutgoingReading+`: the sheet's "Ping <seq> <time>" as the client sends it (the server's reply is upper-cased, "PING")`))
	}
	seqLoc := pingSeqRE().FindStringSubmatchIndex(masked)
	rtt, hasRTT := replyRTT(masked, seqLoc)
	switch {
	case seqLoc == nil && !hasRTT:
		return nil
	case seqLoc != nil && !hasRTT && sentRE().MatchString(masked):
		return []proto.Message{pingReading(at, text, OutgoingReading)}
	case seqLoc == nil && p.pending != nil:
		// "RTT: x" completing the "PING n ..." line before it.
		p.pending.Rtt = durationpb.New(rtt)
		read := pingReading(at, text, fmt.Sprintf("the RTT of the reply on the line before (ping %d): %s", p.pending.Seq, rtt))
		return append([]proto.Message{read}, p.flush()...)
	}
	evs := p.flush()
	p.outcomes++
	reply := &pb.PingReply{Seq: uint32(p.outcomes), Payload: []byte(strings.TrimSpace(text))}
	as := fmt.Sprintf("ping %d's reply (the %s outcome printed)", p.outcomes, ordinal(p.outcomes))
	if hasRTT {
		reply.Rtt = durationpb.New(rtt)
		evs = append(evs, pingReading(at, text, fmt.Sprintf("%s, RTT %s", as, rtt)))
		return append(evs, pingEvent(at, &pb.PingClientEvent{Event: &pb.PingClientEvent_Reply{Reply: reply}}))
	}
	evs = append(evs, pingReading(at, text, as+" without an RTT on this line"))
	p.pending, p.pendAt = reply, at
	return evs
}

// OutgoingReading begins the reading of a line that shows the ping the
// program sends.
const OutgoingReading = "the program's own ping going out, not an outcome"

// flush emits a reply line still waiting for its RTT, without one.
func (p *pingClient) flush() []proto.Message {
	if p.pending == nil {
		return nil
	}
	ev := pingEvent(p.pendAt, &pb.PingClientEvent{Event: &pb.PingClientEvent_Reply{Reply: p.pending}})
	p.pending = nil
	return []proto.Message{ev}
}

// replyRTT finds the round-trip time on a reply line (see the package doc).
func replyRTT(line string, seqLoc []int) (time.Duration, bool) {
	ns := numbers(line)
	seqs := map[int]bool{} // every "PING <seq>" on the line: "Ping message 1 received: PING 1 ..."
	for _, m := range pingSeqRE().FindAllStringSubmatchIndex(line, -1) {
		seqs[m[2]] = true
	}
	isSeq := func(n number) bool { return seqs[n.start] }
	// after is the number a label names: the first one after it, if it is
	// close (": ", " = ", " (ms): ").
	after := func(label []int) (number, bool) {
		for _, n := range ns {
			if n.start < label[1] || isSeq(n) || n.unixTime() || n.percent {
				continue
			}
			if n.start-label[1] > 16 {
				return number{}, false
			}
			if n.unit == 0 {
				n.unit = lineUnit(line[label[0]:n.start])
			}
			return n, true
		}
		return number{}, false
	}
	for _, re := range []*regexp.Regexp{rttLabelRE(), timeLabelRE()} {
		for _, label := range re.FindAllStringIndex(line, -1) {
			if n, ok := after(label); ok {
				return n.duration(), true
			}
		}
	}
	var last *number
	for i := range ns {
		n := ns[i]
		switch {
		case isSeq(n) || n.unixTime() || n.percent:
			continue
		case n.unit != 0:
			return n.duration(), true
		}
		last = &ns[i]
	}
	if last == nil || seqLoc == nil {
		// A bare number is an RTT only on a line that shows the reply.
		return 0, false
	}
	if last.unit == 0 {
		last.unit = lineUnit(line[last.end:])
	}
	return last.duration(), true
}

// statsLine reads a statistics line into p.stats and says what it read
// ("min 1ms, loss 30%"); "" if it is not one.
func (p *pingClient) statsLine(line string, at time.Time) string {
	if pingSeqRE().MatchString(line) && !slashStatRE().MatchString(line) {
		return "" // a line about one ping: "Ping message 1 received"
	}
	var read []string
	if m := slashStatRE().FindStringSubmatch(line); m != nil {
		names := strings.Split(strings.ToLower(m[1]), "/")
		vals := strings.Split(m[2], "/")
		unit := lineUnit(line[strings.Index(line, m[2])+len(m[2]):])
		for i := 0; i < len(names) && i < len(vals); i++ {
			ns := numbers(vals[i])
			if len(ns) == 0 {
				continue
			}
			n := ns[0]
			if n.unit == 0 {
				n.unit = unit
			}
			read = append(read, p.stats.set(names[i], n.duration()))
		}
	} else {
		for _, loc := range statNameRE().FindAllStringIndex(line, -1) {
			name := strings.ToLower(line[loc[0]:loc[1]])
			for _, n := range numbers(line[loc[1]:]) {
				if n.unixTime() || n.percent {
					break
				}
				if n.unit == 0 {
					n.unit = lineUnit(line[loc[1]:])
				}
				read = append(read, p.stats.set(name, n.duration()))
				break
			}
		}
	}
	if lossRE().MatchString(line) {
		if loss, ok := lossOf(line); ok {
			p.stats.loss = loss
			read = append(read, fmt.Sprintf("loss %s%%", strconv.FormatFloat(loss, 'f', -1, 64)))
		}
	}
	if m := lostCountRE().FindStringSubmatch(line); m != nil {
		if n, err := strconv.Atoi(m[1] + m[2]); err == nil {
			p.stats.lost = n
			read = append(read, fmt.Sprintf("%d lost of the pings sent (a count, not ping %d lost)", n, n))
		}
	}
	for _, m := range countRE().FindAllStringSubmatch(line, -1) {
		digits, word := m[1]+m[3]+m[6], strings.ToLower(m[2]+m[4]+m[5])
		n, err := strconv.ParseUint(digits, 10, 32)
		if err != nil {
			continue
		}
		if word == "received" {
			p.stats.received = uint32(n)
			read = append(read, fmt.Sprintf("%d received", n))
		} else {
			p.stats.transmitted = uint32(n)
			read = append(read, fmt.Sprintf("%d sent", n))
		}
	}
	if len(read) > 0 {
		p.stats.seen, p.stats.at = true, at
	}
	return strings.Join(read, ", ")
}

// lossOf reads a loss percentage: the number with "%", else the number
// after "loss" (a fraction when it is at most 1).
func lossOf(line string) (float64, bool) {
	ns := numbers(line)
	for _, n := range ns {
		if n.percent {
			return n.value, true
		}
	}
	loc := lossRE().FindStringIndex(line)
	for _, n := range ns {
		if n.start >= loc[1] {
			if n.value <= 1 {
				return 100 * n.value, true
			}
			return n.value, true
		}
	}
	return 0, false
}

// set records a statistic and says how it was read.
func (s *pingStats) set(name string, d time.Duration) string {
	switch name {
	case "min", "minimum":
		s.min = &d
		return fmt.Sprintf("min RTT %s", d)
	case "max", "maximum":
		s.max = &d
		return fmt.Sprintf("max RTT %s", d)
	case "avg", "average", "mean":
		s.avg = &d
		return fmt.Sprintf("avg RTT %s", d)
	}
	return fmt.Sprintf("%s %s (not judged)", name, d)
}

func (p *pingClient) EndRun(time.Time, error) []proto.Message { return p.flush() }

// finish reports the Summary the statistics lines made, if there were any.
// Values not printed are left unset (loss_percent NaN).
func (p *pingClient) Finish(time.Time) []proto.Message {
	if !p.stats.seen {
		return nil
	}
	s := &pb.PingClientSummary{Transmitted: p.stats.transmitted, Received: p.stats.received, LossPercent: p.stats.loss}
	sent := int(p.stats.transmitted)
	if sent == 0 {
		sent = p.outcomes // the pings whose outcome it printed
	}
	switch {
	case p.stats.lossSeen():
	case p.stats.lost >= 0 && sent > 0:
		// Only a count of lost pings: the loss is that share of those sent.
		s.LossPercent = 100 * float64(p.stats.lost) / float64(sent)
	case p.stats.transmitted > 0 && p.stats.received <= p.stats.transmitted && p.stats.received > 0:
		s.LossPercent = 100 * float64(p.stats.transmitted-p.stats.received) / float64(p.stats.transmitted)
	default:
		s.LossPercent = math.NaN()
	}
	for _, f := range []struct {
		v   *time.Duration
		dst **durationpb.Duration
	}{{p.stats.min, &s.RttMin}, {p.stats.avg, &s.RttAvg}, {p.stats.max, &s.RttMax}} {
		if f.v != nil {
			*f.dst = durationpb.New(*f.v)
		}
	}
	return []proto.Message{pingEvent(p.stats.at, &pb.PingClientEvent{Event: &pb.PingClientEvent_Summary{Summary: s}})}
}

func (s *pingStats) lossSeen() bool { return !math.IsNaN(s.loss) }

func pingEvent(at time.Time, ev *pb.PingClientEvent) proto.Message {
	ev.Time = timestamppb.New(at)
	return ev
}
