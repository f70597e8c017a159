package heartbeat

import (
	"bytes"
	"strconv"
	"time"
)

// Limits of what the server accepts in a datagram.
const (
	maxDatagram = 2048 // longer datagrams are malformed
	maxIDLen    = 64
	// maxUnixSeconds keeps time.Unix(sec, nsec).UnixNano() from overflowing (year 2262).
	maxUnixSeconds = (1<<63 - 1) / int64(time.Second)
)

// Reasons a datagram is malformed; constants so that parsing never allocates.
const (
	reasonEmpty     = "empty datagram"
	reasonTooLong   = "longer than 2048 bytes"
	reasonNotText   = "not printable ASCII text"
	reasonKeyword   = `does not start with "Heartbeat" or "Ping"`
	reasonNoSeq     = "missing sequence number"
	reasonNoTime    = "missing time"
	reasonBadSeq    = "sequence number is not a whole number"
	reasonSeqRange  = "sequence number too large"
	reasonBadTime   = "time is not Unix seconds (digits, optional fraction)"
	reasonTimeRange = "time too far in the future"
	reasonPingID    = `"Ping <seq> <time>" takes nothing more`
	reasonTooMany   = "too many fields"
	reasonIDTooLong = "client id longer than 64 bytes"
)

const (
	keywordHeartbeat = "Heartbeat"
	keywordPing      = "Ping"
)

// datagram is one parsed heartbeat.
type datagram struct {
	seq    uint64
	sentNs int64  // send time, Unix nanoseconds
	id     []byte // client id, nil if none; aliases the payload
}

// parseDatagram parses "Heartbeat <seq> <time> [<id>]", "Ping <seq> <time>"
// or "<seq> <time>"
// without allocating. Fields are separated by runs of blanks (space, tab, CR,
// LF), so a hand-typed line with a newline (netcat) parses too.
// The keyword is matched case-insensitively so the Pinger's upper-cased echo
// "PING 1 ..." counts as well. It returns a non-empty reason when b is not a
// heartbeat.
func parseDatagram(b []byte) (datagram, string) {
	if len(b) == 0 {
		return datagram{}, reasonEmpty
	}
	if len(b) > maxDatagram {
		return datagram{}, reasonTooLong
	}
	var f [4][]byte // the fields a heartbeat can have
	n := 0          // all fields, to notice extra ones
	for i := 0; i < len(b); {
		if isSpace(b[i]) {
			i++
			continue
		}
		j := i
		for ; j < len(b) && !isSpace(b[j]); j++ {
			if b[j] < 0x21 || b[j] > 0x7e {
				return datagram{}, reasonNotText
			}
		}
		if n < len(f) {
			f[n] = b[i:j]
		}
		n++
		i = j
	}
	switch {
	case n == 0:
		return datagram{}, reasonEmpty
	case n == 2 && isDigits(f[0]):
		// "<seq> <time>": the sheet asks for a sequence number and the
		// time, and names no keyword.
		var d datagram
		var reason string
		if d.seq, reason = parseSeq(f[0]); reason != "" {
			return datagram{}, reason
		}
		if d.sentNs, reason = parseUnixTime(f[1]); reason != "" {
			return datagram{}, reason
		}
		return d, ""
	case bytes.EqualFold(f[0], []byte(keywordHeartbeat)), bytes.EqualFold(f[0], []byte(keywordPing)):
	default:
		return datagram{}, reasonKeyword
	}
	if n < 2 {
		return datagram{}, reasonNoSeq
	}
	if n < 3 {
		return datagram{}, reasonNoTime
	}
	var d datagram
	var reason string
	if d.seq, reason = parseSeq(f[1]); reason != "" {
		return datagram{}, reason
	}
	if d.sentNs, reason = parseUnixTime(f[2]); reason != "" {
		return datagram{}, reason
	}
	isPing := len(f[0]) == len(keywordPing)
	switch {
	case isPing && n > 3:
		return datagram{}, reasonPingID
	case n > 4:
		return datagram{}, reasonTooMany
	case n == 4:
		if len(f[3]) > maxIDLen {
			return datagram{}, reasonIDTooLong
		}
		d.id = f[3]
	}
	return d, ""
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func parseSeq(b []byte) (uint64, string) {
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, reasonBadSeq
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, reasonSeqRange
		}
		v = v*10 + d
	}
	return v, ""
}

// parseUnixTime parses "<seconds>[.<fraction>]" into Unix nanoseconds;
// fraction digits past the ninth are ignored.
func parseUnixTime(b []byte) (int64, string) {
	whole, frac, dot := bytes.Cut(b, []byte("."))
	if len(whole) == 0 || (dot && len(frac) == 0) {
		return 0, reasonBadTime
	}
	var sec int64
	for _, c := range whole {
		if c < '0' || c > '9' {
			return 0, reasonBadTime
		}
		if sec > maxUnixSeconds/10 {
			return 0, reasonTimeRange
		}
		sec = sec*10 + int64(c-'0')
	}
	if sec >= maxUnixSeconds {
		return 0, reasonTimeRange
	}
	var ns int64
	scale := int64(time.Second)
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, reasonBadTime
		}
		scale /= 10
		ns += int64(c-'0') * scale
	}
	return sec*int64(time.Second) + ns, ""
}

// AppendHeartbeat appends the datagram "Heartbeat <seq> <time>" (with
// " <id>" when id is not empty) to dst, time in Unix seconds with
// microseconds, and returns the extended slice.
func AppendHeartbeat(dst []byte, seq uint64, sent time.Time, id string) []byte {
	dst = append(dst, keywordHeartbeat...)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, sent.Unix(), 10)
	us := sent.Nanosecond() / 1000
	dst = append(dst, '.')
	for scale := 100000; scale > 0; scale /= 10 {
		dst = append(dst, byte('0'+us/scale%10))
	}
	if id != "" {
		dst = append(dst, ' ')
		dst = append(dst, id...)
	}
	return dst
}
