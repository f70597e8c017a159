package heartbeat

import (
	"strings"
	"testing"
	"time"
)

func TestParseDatagram(t *testing.T) {
	const sec = 1764147583
	tests := []struct {
		name   string
		in     string
		seq    uint64
		sentNs int64
		id     string
		reason string
	}{
		{name: "heartbeat", in: "Heartbeat 7 1764147583.123456", seq: 7, sentNs: sec*1e9 + 123456000},
		{name: "with id", in: "Heartbeat 1 1764147583.5 lab-pc-3", seq: 1, sentNs: sec*1e9 + 5e8, id: "lab-pc-3"},
		{name: "ping form", in: "Ping 3 1764147583.25", seq: 3, sentNs: sec*1e9 + 25e7},
		{name: "upper-cased ping", in: "PING 3 1764147583", seq: 3, sentNs: sec * 1e9},
		{name: "whole seconds", in: "Heartbeat 2 1764147583", seq: 2, sentNs: sec * 1e9},
		{name: "nanoseconds and beyond", in: "Heartbeat 2 1764147583.1234567891", seq: 2, sentNs: sec*1e9 + 123456789},
		{name: "extra blanks and newline", in: "  Heartbeat \t 4   1764147583.5  a \r\n", seq: 4, sentNs: sec*1e9 + 5e8, id: "a"},
		{name: "seq 0", in: "Heartbeat 0 1", seq: 0, sentNs: 1e9},
		{name: "largest seq", in: "Heartbeat 18446744073709551615 1", seq: 1<<64 - 1, sentNs: 1e9},
		{name: "latest time", in: "Heartbeat 1 9223372035.999999999", seq: 1, sentNs: 9223372035999999999},
		{name: "no keyword", in: "12 1764147583.5", seq: 12, sentNs: sec*1e9 + 5e8},
		{name: "no keyword, newline", in: "3 1764147583\n", seq: 3, sentNs: sec * 1e9},
		{name: "no keyword, three numbers", in: "1 2 3", reason: reasonKeyword},

		{name: "empty", in: "", reason: reasonEmpty},
		{name: "blanks only", in: " \t\n", reason: reasonEmpty},
		{name: "binary", in: "\x00\x01\xfe\xff", reason: reasonNotText},
		{name: "binary after keyword", in: "Heartbeat 1 2\x00", reason: reasonNotText},
		{name: "non-ASCII id", in: "Heartbeat 1 2 caf\u00e9", reason: reasonNotText},
		{name: "other text", in: "Hello, server", reason: reasonKeyword},
		{name: "keyword glued to seq", in: "Heartbeat1 2", reason: reasonKeyword},
		{name: "keyword only", in: "Heartbeat", reason: reasonNoSeq},
		{name: "no time", in: "Heartbeat 1", reason: reasonNoTime},
		{name: "seq not a number", in: "Heartbeat one 2", reason: reasonBadSeq},
		{name: "negative seq", in: "Heartbeat -1 2", reason: reasonBadSeq},
		{name: "signed seq", in: "Heartbeat +1 2", reason: reasonBadSeq},
		{name: "fractional seq", in: "Heartbeat 1.0 2", reason: reasonBadSeq},
		{name: "seq overflows", in: "Heartbeat 18446744073709551616 2", reason: reasonSeqRange},
		{name: "huge seq", in: "Heartbeat 99999999999999999999999999 2", reason: reasonSeqRange},
		{name: "negative time", in: "Heartbeat 1 -1764147583.5", reason: reasonBadTime},
		{name: "exponent time", in: "Heartbeat 1 1.7e9", reason: reasonBadTime},
		{name: "two dots", in: "Heartbeat 1 1.2.3", reason: reasonBadTime},
		{name: "no whole part", in: "Heartbeat 1 .5", reason: reasonBadTime},
		{name: "no fraction after dot", in: "Heartbeat 1 5.", reason: reasonBadTime},
		{name: "ctime", in: "Ping 1 Wed Nov 26 09:39:43 2025", reason: reasonBadTime},
		{name: "huge time", in: "Heartbeat 1 99999999999999999999999", reason: reasonTimeRange},
		{name: "time past 2262", in: "Heartbeat 1 9223372036", reason: reasonTimeRange},
		{name: "ping with more", in: "Ping 1 2 a", reason: reasonPingID},
		{name: "five fields", in: "Heartbeat 1 2 a b", reason: reasonTooMany},
		{name: "id too long", in: "Heartbeat 1 2 " + strings.Repeat("x", maxIDLen+1), reason: reasonIDTooLong},
		{name: "too long", in: "Heartbeat 1 2 " + strings.Repeat(" ", maxDatagram), reason: reasonTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, reason := parseDatagram([]byte(tt.in))
			if reason != tt.reason {
				t.Fatalf("reason %q, want %q", reason, tt.reason)
			}
			if d.seq != tt.seq || d.sentNs != tt.sentNs || string(d.id) != tt.id {
				t.Errorf("got seq %d time %d id %q, want %d %d %q", d.seq, d.sentNs, d.id, tt.seq, tt.sentNs, tt.id)
			}
		})
	}
}

func TestParseDatagramDoesNotAllocate(t *testing.T) {
	in := []byte("Heartbeat 123456 1764147583.123456 client-0042")
	if n := testing.AllocsPerRun(100, func() { parseDatagram(in) }); n != 0 {
		t.Errorf("%v allocations per parse, want 0", n)
	}
}

func TestAppendHeartbeat(t *testing.T) {
	sent := time.Unix(1764147583, 123456789)
	tests := []struct {
		seq  uint64
		id   string
		want string
	}{
		{1, "", "Heartbeat 1 1764147583.123456"},
		{42, "pc-7", "Heartbeat 42 1764147583.123456 pc-7"},
	}
	for _, tt := range tests {
		got := string(AppendHeartbeat([]byte("x"), tt.seq, sent, tt.id))
		if got != "x"+tt.want {
			t.Errorf("AppendHeartbeat(%d, %q) = %q, want %q", tt.seq, tt.id, got, "x"+tt.want)
		}
	}
}

func FuzzParseDatagram(f *testing.F) {
	for _, s := range []string{"Heartbeat 1 1764147583.5 a", "Ping 2 3", "Heartbeat 1 1.", "", "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, reason := parseDatagram(b)
		if reason != "" {
			return
		}
		// Whatever parses says the same once written back.
		sent := time.Unix(0, d.sentNs)
		again, reason := parseDatagram(AppendHeartbeat(nil, d.seq, sent, string(d.id)))
		if reason != "" || again.seq != d.seq || string(again.id) != string(d.id) || again.sentNs != sent.Truncate(time.Microsecond).UnixNano() {
			t.Fatalf("%q parsed as %+v, written back as %+v (%s)", b, d, again, reason)
		}
	})
}
