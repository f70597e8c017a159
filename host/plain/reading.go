package plain

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// A reader says how it read each line it took for something: a Log event
// (debug level) "read <quoted line> as <what>", so that where a line could
// be read two ways ("total number of packets lost = 1": a count, or ping 1
// lost?) a grader's evidence can quote the line and the reading.

// readPrefix starts the message of a reading.
const readPrefix = "read "

// readingText is the message of a reading of line.
func readingText(line, as string) string {
	return readPrefix + strconv.Quote(strings.TrimSpace(line)) + " as " + as
}

// Reading splits a Log message made by a plain program's reader into the
// line it read and what it took it for; ok is false for any other message.
func Reading(msg string) (line, as string, ok bool) {
	rest, found := strings.CutPrefix(msg, readPrefix)
	if !found || !strings.HasPrefix(rest, `"`) {
		return "", "", false
	}
	quoted, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return "", "", false
	}
	as, found = strings.CutPrefix(rest[len(quoted):], " as ")
	if !found {
		return "", "", false
	}
	line, err = strconv.Unquote(quoted)
	return line, as, err == nil
}

func readingLog(line, as string) *pb.Log {
	return &pb.Log{Level: pb.Log_LEVEL_DEBUG, Message: readingText(line, as)}
}

func pingReading(at time.Time, line, as string) proto.Message {
	return pingEvent(at, &pb.PingClientEvent{Event: &pb.PingClientEvent_Log{Log: readingLog(line, as)}})
}

func heartbeatReading(at time.Time, line, as string) proto.Message {
	return &pb.HeartbeatServerEvent{Time: timestamppb.New(at), Event: &pb.HeartbeatServerEvent_Log{Log: readingLog(line, as)}}
}

// ordinal is "1st", "2nd", "3rd", "4th", ...
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
