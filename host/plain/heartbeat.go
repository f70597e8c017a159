package plain

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/internal/lazy"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// heartbeatServer reads a heartbeat server's reports of lost heartbeats and
// of clients going down and coming back up.
// HeartbeatServer reads the sheet's heartbeat server: its lost, down and
// up lines.
func HeartbeatServer(proto.Message) roles.PlainReader { return heartbeatServer{} }

type heartbeatServer struct{}

var (
	upRE   = lazy.Regexp(`(?i)\b(up again|back up|is up|came back|comes? back|back online|alive again|resumed|reconnected|recovered)\b`)
	downRE = lazy.Regexp(`(?i)\b(down|stopped|dead|offline|not responding|inactive|no heartbeats?|disconnected|timed out)\b`)
	lostRE = lazy.Regexp(`(?i)\b(lost|missing)\b`)
	// seqRunRE is one seq or a range of them; countWordRE follows a count.
	seqRunRE    = lazy.Regexp(`(?i)(?:^|[^0-9.\-])(\d{1,18})(?:\s*(?:-|–|\.\.|\bto\b)\s*(\d{1,18}))?`)
	countWordRE = lazy.Regexp(`(?i)^\s*(packet|heartbeat|ping|message|datagram)s?\b`)
	// totalRE marks a line that counts the lost rather than naming them:
	// "total number of packets lost = 1".
	totalRE = lazy.Regexp(`(?i)\b(total|number\s+of|count)\b|\b(lost|missing)\s*=`)
	// thresholdRE marks a line that states after how long a silent client
	// counts as stopped: "a client is considered down after 10 seconds",
	// "timeout = 5 s". "declared down after 10.2 s" reports a client down.
	thresholdRE = lazy.Regexp(`(?i)\b(?:considered|deemed|assumed|treated\s+as)\b.*\b(?:after|if|when|once|for)\b|\b(?:if|when|once)\b.*\b(?:considered|deemed|assumed|treated\s+as)\b|\b(?:timeout|threshold|dead[_-]?after|down[_-]after)\s*(?:is|of|=|:)?\s*\d`)
)

// threshold reads the down threshold a line states; false if it states
// none.
func threshold(masked string) (time.Duration, bool) {
	if !thresholdRE().MatchString(masked) {
		return 0, false
	}
	var first *number
	for _, n := range numbers(masked) {
		if n.unixTime() || n.percent || n.value <= 0 {
			continue
		}
		if n.unit != 0 {
			return n.duration(), true
		}
		if first == nil {
			first = &n
		}
	}
	if first == nil {
		return 0, false
	}
	return first.duration(), true
}

// ThresholdReading is how a reading of a heartbeat server's down threshold
// begins; the duration follows, as time.Duration prints it.
const ThresholdReading = "the down threshold: "

func (h heartbeatServer) Line(text string, at time.Time) []proto.Message {
	masked := maskAddresses(text)
	evs := h.report(text, masked, at)
	if d, ok := threshold(masked); ok {
		// A statement of the threshold may also say down: both readings.
		evs = append([]proto.Message{heartbeatReading(at, text, ThresholdReading+d.String())}, evs...)
	}
	return evs
}

// report reads what a line reports: lost heartbeats, a client down or up.
func (heartbeatServer) report(text, masked string, at time.Time) []proto.Message {
	var ev *pb.HeartbeatServerEvent
	var as string
	switch {
	case upRE().MatchString(masked):
		ev = &pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Up{Up: &pb.ClientUp{}}}
		as = "the client up again"
	case downRE().MatchString(masked):
		ev = &pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Down{Down: &pb.ClientDown{LastSeen: timestamppb.New(at)}}}
		as = fmt.Sprintf("the client declared down (it said %q)", strings.ToLower(downRE().FindString(masked)))
	case lostRE().MatchString(masked) && totalRE().MatchString(masked):
		return []proto.Message{heartbeatReading(at, text, "a count of lost heartbeats, not which were lost")}
	case lostRE().MatchString(masked):
		runs := lostSeqs(masked)
		if len(runs) == 0 {
			return []proto.Message{heartbeatReading(at, text, "lost heartbeats without a seq (a count), not which were lost")}
		}
		var seqs []string
		evs := []proto.Message{nil} // the reading goes first
		for _, r := range runs {
			evs = append(evs, &pb.HeartbeatServerEvent{Time: timestamppb.New(at),
				Event: &pb.HeartbeatServerEvent_Lost{Lost: &pb.HeartbeatLost{FirstSeq: r[0], LastSeq: r[1]}}})
			if r[0] == r[1] {
				seqs = append(seqs, strconv.FormatUint(r[0], 10))
			} else {
				seqs = append(seqs, fmt.Sprintf("%d-%d", r[0], r[1]))
			}
		}
		evs[0] = heartbeatReading(at, text, "heartbeats lost: "+strings.Join(seqs, ", "))
		return evs
	default:
		return nil
	}
	ev.Time = timestamppb.New(at)
	return []proto.Message{heartbeatReading(at, text, as), ev}
}

// lostSeqs reads the seqs a "lost" line names, as runs [first, last].
func lostSeqs(line string) [][2]uint64 {
	var runs [][2]uint64
	for _, m := range seqRunRE().FindAllStringSubmatchIndex(line, -1) {
		end := m[1]
		if end < len(line) && (line[end] == '.' && end+1 < len(line) && line[end+1] >= '0' && line[end+1] <= '9' || line[end] == '%') {
			continue // a fraction or a percentage
		}
		if countWordRE().MatchString(line[end:]) {
			continue // "3 packets": a count
		}
		first, err := strconv.ParseUint(line[m[2]:m[3]], 10, 64)
		if err != nil {
			continue
		}
		last := first
		if m[4] >= 0 {
			if last, err = strconv.ParseUint(line[m[4]:m[5]], 10, 64); err != nil || last < first {
				last = first
			}
		}
		runs = append(runs, [2]uint64{first, last})
	}
	return runs
}

func (heartbeatServer) EndRun(time.Time, error) []proto.Message { return nil }
func (heartbeatServer) Finish(time.Time) []proto.Message        { return nil }
