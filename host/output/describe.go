package output

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Describe renders one event as a line a student recognises: the lab
// sheet's own wording where it has one, "kind field=value ..." otherwise.
func Describe(role, kind string, body proto.Message) string {
	if body == nil {
		return kind
	}
	switch b := body.(type) {
	case *pb.Ready:
		return "ready on " + b.Address
	case *pb.Log:
		return b.Message
	case *pb.PingSent:
		return "sent " + quoted(b.Payload)
	case *pb.PingReply:
		return pingReply(b)
	case *pb.PingTimeout:
		return fmt.Sprintf("ping %d: Request timed out", b.Seq)
	case *pb.PingLate:
		return fmt.Sprintf("late reply: seq=%d time=%s ms %s", b.Seq, pingTime(b.Rtt.AsDuration()), quoted(b.Payload))
	case *pb.PingClientSummary:
		return pingSummary(b)
	case *pb.PingEcho:
		return fmt.Sprintf("echo %s to %s", quoted(b.Reply), b.Peer)
	case *pb.PingDrop:
		return fmt.Sprintf("drop %s from %s", quoted(b.Request), b.Peer)
	case *pb.PingServerSummary:
		return fmt.Sprintf("received %d, echoed %d, dropped %d", b.Received, b.Echoed, b.Dropped)
	case *pb.HeartbeatSent:
		return "sent " + quoted(b.Payload)
	case *pb.HeartbeatPaused:
		return fmt.Sprintf("paused: silent for %s s", shortSeconds(b.PauseFor))
	case *pb.HeartbeatResumed:
		return fmt.Sprintf("resumed: next heartbeat %d", b.NextSeq)
	case *pb.HeartbeatClientSummary:
		return fmt.Sprintf("%d heartbeats sent in %s s", b.Sent, shortSeconds(b.Duration))
	case *pb.Heartbeat:
		return fmt.Sprintf("heartbeat %d from %s, one-way delay %s s", b.Seq, b.Client, seconds(b.Delay))
	case *pb.HeartbeatLost:
		return fmt.Sprintf("lost %s from %s", seqRun(b.FirstSeq, b.LastSeq), b.Client)
	case *pb.HeartbeatDuplicate:
		return fmt.Sprintf("duplicate %d from %s", b.Seq, b.Client)
	case *pb.HeartbeatReordered:
		return fmt.Sprintf("heartbeat %d from %s came after %d: reordered, not lost", b.Seq, b.Client, b.AfterSeq)
	case *pb.HeartbeatRestart:
		return fmt.Sprintf("%s restarted: seq %d after %d", b.Client, b.Seq, b.PreviousSeq)
	case *pb.ClientDown:
		// The line's own time is when it went down; dead_after is the gap
		// between the two.
		return fmt.Sprintf("%s is DOWN: silent since seq %d, heard at %s", b.Client, b.LastSeq,
			b.LastSeen.AsTime().Local().Format("15:04:05.000"))
	case *pb.ClientUp:
		return fmt.Sprintf("%s is UP again at seq %d after %s s of silence", b.Client, b.Seq, shortSeconds(b.SilentFor))
	case *pb.HeartbeatMalformed:
		return fmt.Sprintf("malformed datagram from %s: %s (%s)", b.Peer, quoted(b.Payload), b.Reason)
	case *pb.HeartbeatServerSummary:
		return heartbeatSummary(b)
	case *pb.WebRequest:
		return webRequest(b)
	case *pb.WebServerSummary:
		return webServerSummary(b)
	case *pb.WebResponse:
		return webResponse(b)
	case *pb.WebClientSummary:
		return fmt.Sprintf("%s: %d ok, %d failed", plural(uint64(b.Requests), "request"), b.Ok, b.Failed)
	}
	return generic(kind, body)
}

// webRequest is the request line and what became of it:
// "GET /HelloWorld.html HTTP/1.1 -> 200 (325 bytes, 0.3 ms) from 127.0.0.1:5555".
func webRequest(b *pb.WebRequest) string {
	var line []string
	for _, part := range []string{b.Method, b.Target, b.Proto} {
		if part != "" {
			line = append(line, printable(part))
		}
	}
	if len(line) == 0 {
		line = append(line, "request") // its request line never came whole
	}
	answer := "no response"
	if b.Status != 0 {
		answer = strconv.FormatUint(uint64(b.Status), 10)
	}
	s := fmt.Sprintf("%s -> %s (%d bytes, %s ms) from %s", strings.Join(line, " "), answer, b.Bytes, shortMillis(b.Duration), b.Peer)
	if b.Reason != "" {
		s += ": " + printable(b.Reason)
	}
	return s
}

// webServerSummary: "3 requests on 2 connections (200: 2, 404: 1), 650 body
// bytes sent"; status 0 is a request cut off before any answer.
func webServerSummary(b *pb.WebServerSummary) string {
	codes := make([]uint32, 0, len(b.ByStatus))
	for code := range b.ByStatus {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	var counts []string
	for _, code := range codes {
		name := strconv.FormatUint(uint64(code), 10)
		if code == 0 {
			name = "no response"
		}
		counts = append(counts, fmt.Sprintf("%s: %d", name, b.ByStatus[code]))
	}
	s := plural(b.Requests, "request") + " on " + plural(b.Connections, "connection")
	if len(counts) > 0 {
		s += " (" + strings.Join(counts, ", ") + ")"
	}
	return s + fmt.Sprintf(", %d body bytes sent", b.Bytes)
}

// webResponse is what the sheet's client displays, on one line: status
// line, path, body size, the headers, the start of the body if kept, and
// what went wrong.
func webResponse(b *pb.WebResponse) string {
	if b.StatusLine == "" {
		return fmt.Sprintf("%s: %s", printable(b.Path), printable(b.Error))
	}
	s := fmt.Sprintf("%s  %s  %d bytes", printable(b.StatusLine), printable(b.Path), b.BodySize)
	if len(b.Headers) > 0 {
		headers := make([]string, len(b.Headers))
		for i, h := range b.Headers {
			headers[i] = printable(h.Name + ": " + h.Value)
		}
		s += "  [" + strings.Join(headers, " | ") + "]"
	}
	if len(b.Body) > 0 {
		s += "  " + quoted(b.Body)
	}
	if b.Error != "" {
		s += "  error: " + printable(b.Error)
	}
	return s
}

// plural is "1 request", "3 requests".
func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// printable quotes text a peer sent if it holds anything that is not plain
// printable text, so a request cannot write control sequences to the
// terminal.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return s
}

// heartbeatSummary is one line: each client's totals, then the malformed
// datagrams; a line because the final report shows a summary as one.
func heartbeatSummary(b *pb.HeartbeatServerSummary) string {
	var parts []string
	for _, c := range b.Clients {
		s := fmt.Sprintf("%s: %d received, %d lost (%s%%)", c.Client, c.Received, c.Lost,
			strconv.FormatFloat(math.Round(c.LossPercent*10)/10, 'f', -1, 64))
		for _, n := range []struct {
			count     uint64
			one, many string
		}{{c.Late, "late", "late"}, {c.Duplicates, "duplicate", "duplicates"},
			{c.Reordered, "reordered", "reordered"}, {c.Restarts, "restart", "restarts"}} {
			switch {
			case n.count == 1:
				s += ", 1 " + n.one
			case n.count > 1:
				s += fmt.Sprintf(", %d %s", n.count, n.many)
			}
		}
		if c.Received > 0 {
			s += fmt.Sprintf(", delay min/avg/max = %s/%s/%s ms", millis(c.DelayMin), millis(c.DelayAvg), millis(c.DelayMax))
		}
		if c.TimeDown.AsDuration() > 0 {
			s += fmt.Sprintf(", down %s s", shortSeconds(c.TimeDown))
		}
		if c.Down {
			s += ", DOWN at the end"
		}
		parts = append(parts, s)
	}
	if n, u := b.UnlistedClients, b.Unlisted; n > 0 {
		parts = append(parts, fmt.Sprintf("%d more clients: %d received, %d lost (%s%%)", n, u.GetReceived(), u.GetLost(),
			strconv.FormatFloat(math.Round(u.GetLossPercent()*10)/10, 'f', -1, 64)))
	}
	if b.UntrackedHeartbeats > 0 {
		parts = append(parts, fmt.Sprintf("%d heartbeats from clients past max_clients (%d tracked)", b.UntrackedHeartbeats, b.ClientsTracked))
	}
	if len(parts) == 0 {
		parts = append(parts, "no heartbeats")
	}
	if b.Malformed > 0 {
		parts = append(parts, fmt.Sprintf("%d malformed", b.Malformed))
	}
	return strings.Join(parts, "; ")
}

// seqRun shows first..last as "4-6", or "4" when they are one seq.
func seqRun(first, last uint64) string {
	if first == last {
		return strconv.FormatUint(first, 10)
	}
	return fmt.Sprintf("%d-%d", first, last)
}

// generic renders any message as "kind field=value ...", fields in the
// order the .proto declares them (Range's order is undefined, and differs
// from one binary to the next).
func generic(kind string, body proto.Message) string {
	parts := []string{kind}
	m := body.ProtoReflect()
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		if fd := fields.Get(i); m.Has(fd) {
			parts = append(parts, string(fd.Name())+"="+fieldText(fd, m.Get(fd)))
		}
	}
	return strings.Join(parts, " ")
}

func fieldText(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch {
	case fd.IsList():
		var items []string
		for i := 0; i < v.List().Len(); i++ {
			items = append(items, scalarText(fd, v.List().Get(i)))
		}
		return "[" + strings.Join(items, " ") + "]"
	case fd.IsMap():
		var items []string
		v.Map().Range(func(k protoreflect.MapKey, e protoreflect.Value) bool {
			items = append(items, k.String()+":"+scalarText(fd.MapValue(), e))
			return true
		})
		sort.Strings(items)
		return "{" + strings.Join(items, " ") + "}"
	}
	return scalarText(fd, v)
}

func scalarText(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.BytesKind:
		return quoted(v.Bytes())
	case protoreflect.StringKind:
		if strings.ContainsAny(v.String(), " \"") {
			return strconv.Quote(v.String())
		}
		return v.String()
	case protoreflect.EnumKind:
		return string(fd.Enum().Values().ByNumber(v.Enum()).Name())
	case protoreflect.MessageKind:
		switch msg := v.Message().Interface().(type) {
		case *durationpb.Duration:
			return msg.AsDuration().String()
		case *timestamppb.Timestamp:
			return msg.AsTime().Format(time.RFC3339Nano)
		default:
			return "{" + generic("", msg)[1:] + "}"
		}
	}
	return v.String()
}

// quoted shows a payload as text, escaping what is not printable, cut at
// a length that fits a line.
func quoted(b []byte) string {
	const max = 80
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + fmt.Sprintf("...(%d bytes)", len(b))
	}
	return strconv.Quote(string(b))
}

func seconds(d *durationpb.Duration) string {
	return strconv.FormatFloat(d.AsDuration().Seconds(), 'f', 6, 64)
}

// shortSeconds shows d in seconds to the millisecond, without trailing zeros.
func shortSeconds(d *durationpb.Duration) string {
	return strconv.FormatFloat(d.AsDuration().Round(time.Millisecond).Seconds(), 'f', -1, 64)
}

// shortMillis shows d in milliseconds to the microsecond, without trailing zeros.
func shortMillis(d *durationpb.Duration) string {
	return strconv.FormatFloat(float64(d.AsDuration().Round(time.Microsecond))/float64(time.Millisecond), 'f', -1, 64)
}

func millis(d *durationpb.Duration) string {
	return strconv.FormatFloat(float64(d.AsDuration().Microseconds())/1000, 'f', 3, 64)
}
