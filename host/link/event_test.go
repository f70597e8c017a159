package link

import (
	"strings"
	"testing"
)

func TestFateString(t *testing.T) {
	for _, tc := range []struct {
		fate Fate
		want string
	}{
		{Delivered, "delivered"},
		{Dropped, "dropped"},
		{Delivered | Duplicated | Delayed, "delivered+duplicated+delayed"},
		{Delivered | Reordered, "delivered+reordered"},
		{Reset, "reset"},
		{0, "none"},
	} {
		if got := tc.fate.String(); got != tc.want {
			t.Errorf("%08b: %q, want %q", uint8(tc.fate), got, tc.want)
		}
	}
}

func TestSummaryString(t *testing.T) {
	s := Summary{Link: "ping", Proto: "udp", Flows: 1,
		ToServer:   DirSummary{Packets: 10, Bytes: 80, Delivered: 7, DeliveredBytes: 56, Dropped: 3},
		EventsLost: 2}
	got := s.String()
	for _, want := range []string{"link ping (udp, 1 flows)", "to server 10 pkts 80B, delivered 7 (56B), dropped 3", "to client 0 pkts", "2 events lost"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
