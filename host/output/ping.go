package output

import (
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// The ping client's lines follow iputils ping(8): a reply line with
// "time=... ms", and a statistics block at the end, with its numbers
// rounded as ping rounds them.

// pingReply: `24 bytes from 127.0.0.1:12000: seq=1 time=0.123 ms "PING 1 ..."`.
func pingReply(b *pb.PingReply) string {
	from := ""
	if b.Peer != "" {
		from = " from " + b.Peer
	}
	return fmt.Sprintf("%d bytes%s: seq=%d time=%s ms %s", len(b.Payload), from, b.Seq, pingTime(b.Rtt.AsDuration()), quoted(b.Payload))
}

// pingTime is a round-trip time in milliseconds as ping prints one: three
// decimals below 1 ms, two below 10, one below 100, none above (iputils'
// gather_statistics).
func pingTime(d time.Duration) string {
	us := d.Microseconds()
	switch {
	case us >= 100000-50:
		return strconv.FormatInt((us+500)/1000, 10)
	case us >= 10000-5:
		us += 50
		return fmt.Sprintf("%d.%01d", us/1000, us%1000/100)
	case us >= 1000:
		us += 5
		return fmt.Sprintf("%d.%02d", us/1000, us%1000/10)
	}
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}

// pingLoss is the packet loss as ping prints it: printf("%g") of a float,
// so 33.3333 for a third.
func pingLoss(percent float64) string {
	return strconv.FormatFloat(float64(float32(percent)), 'g', 6, 64)
}

// pingMillis is min/avg/max/mdev's "%ld.%03ld" of microseconds: truncated,
// not rounded.
func pingMillis(d *durationpb.Duration) string {
	us := d.AsDuration().Microseconds()
	sign := ""
	if us < 0 {
		sign, us = "-", -us
	}
	return fmt.Sprintf("%s%d.%03d", sign, us/1000, us%1000)
}

// pingCounts is "10 packets transmitted, 7 received, 30% packet loss",
// with ", time 2012ms" when elapsed is known.
func pingCounts(b *pb.PingClientSummary, elapsed time.Duration) string {
	s := fmt.Sprintf("%d packets transmitted, %d received", b.Transmitted, b.Received)
	if b.Transmitted > 0 {
		s += fmt.Sprintf(", %s%% packet loss", pingLoss(b.LossPercent))
		if elapsed > 0 {
			s += fmt.Sprintf(", time %dms", (elapsed+500*time.Microsecond)/time.Millisecond)
		}
	}
	return s
}

// pingRTTs is "rtt min/avg/max/mdev = 0.053/0.471/1.643/0.526 ms", or ""
// with no reply.
func pingRTTs(b *pb.PingClientSummary) string {
	if b.Received == 0 {
		return ""
	}
	return fmt.Sprintf("rtt min/avg/max/mdev = %s/%s/%s/%s ms", pingMillis(b.RttMin), pingMillis(b.RttAvg), pingMillis(b.RttMax), pingMillis(b.RttMdev))
}

// pingSummary is the statistics on one line, for the final report.
func pingSummary(b *pb.PingClientSummary) string {
	s := pingCounts(b, 0)
	if rtts := pingRTTs(b); rtts != "" {
		s += "; " + rtts
	}
	return s
}

// pingStatistics is ping's closing block: the header naming the host, the
// counts with the time the pinging took, and the RTTs.
func pingStatistics(host string, b *pb.PingClientSummary, elapsed time.Duration) []string {
	lines := []string{fmt.Sprintf("--- %s ping statistics ---", host), pingCounts(b, elapsed)}
	if rtts := pingRTTs(b); rtts != "" {
		lines = append(lines, rtts)
	}
	return lines
}
