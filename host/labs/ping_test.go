package labs

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/output"
	"github.com/socklab/socklab/host/run"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// TestPingRounding: the numbers as iputils' ping prints them (its
// gather_statistics and finish_up): time= with 3, 2, 1 or no decimals by
// size, loss with %g of a float, min/avg/max/mdev truncated to the µs.
func TestPingRounding(t *testing.T) {
	times := []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Microsecond, "0.045"},
		{999 * time.Microsecond, "0.999"},
		{1234 * time.Microsecond, "1.23"},
		{1235 * time.Microsecond, "1.24"},
		{9994 * time.Microsecond, "9.99"},
		{9995 * time.Microsecond, "10.0"},
		{12345 * time.Microsecond, "12.3"},
		{99949 * time.Microsecond, "99.9"},
		{99950 * time.Microsecond, "100"},
		{1500400 * time.Microsecond, "1500"},
	}
	for _, tt := range times {
		if got := pingTime(tt.d); got != tt.want {
			t.Errorf("time=%s for %v, want %s", got, tt.d, tt.want)
		}
	}
	losses := []struct {
		tx, rx uint32
		want   string
	}{{3, 2, "33.3333"}, {3, 1, "66.6667"}, {10, 7, "30"}, {10, 10, "0"}, {2, 0, "100"}, {7, 6, "14.2857"}, {101, 100, "0.990099"}}
	for _, tt := range losses {
		p := 100 * float64(tt.tx-tt.rx) / float64(tt.tx)
		if got := pingLoss(p); got != tt.want {
			t.Errorf("%d of %d lost: %s%%, want %s%%", tt.tx-tt.rx, tt.tx, got, tt.want)
		}
	}
	if got := pingMillis(durationpb.New(1643999 * time.Nanosecond)); got != "1.643" {
		t.Errorf("min/avg/max shows 1.643999 ms as %s", got)
	}
}

// TestPingStatisticsBlock: the console shows a ping client's Summary as
// ping's closing block, timed from its first ping, and each reply with
// time= in ms.
func TestPingStatisticsBlock(t *testing.T) {
	role := PingClient().Role
	c := &lab.Component{Name: "client", Role: role}
	var b strings.Builder
	obs := output.Observer(output.NewLogger(&b, output.Console, false, zerolog.InfoLevel), output.Console)
	t0 := time.Date(2026, 12, 6, 20, 0, 0, 0, time.Local)
	ms := func(f float64) *durationpb.Duration {
		return durationpb.New(time.Duration(f * float64(time.Millisecond)))
	}
	for _, ev := range []run.Event{
		{Time: t0, Kind: "sent", Body: &pb.PingSent{Seq: 1, Payload: []byte("Ping 1 5.0")}},
		{Time: t0.Add(time.Millisecond), Kind: "reply", Body: &pb.PingReply{Seq: 1, Rtt: ms(1.2345), Payload: []byte("PING 1 5.0"), Peer: "127.0.0.1:12000"}},
		{Time: t0.Add(time.Second), Kind: "timeout", Body: &pb.PingTimeout{Seq: 2}},
		{Time: t0.Add(time.Second), Kind: "timeout", Body: &pb.PingTimeout{Seq: 3}},
		{Time: t0.Add(2012 * time.Millisecond), Kind: "summary", Body: &pb.PingClientSummary{Transmitted: 3, Received: 1, LossPercent: 200.0 / 3,
			RttMin: ms(1.2345), RttAvg: ms(1.2345), RttMax: ms(1.2345), RttMdev: ms(0)}},
	} {
		ev.Component, ev.Raw = c, &pb.PingClientEvent{}
		obs(ev)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		_, msg, _ := strings.Cut(l, "client")
		lines = append(lines, strings.TrimSpace(msg))
	}
	want := []string{
		`sent "Ping 1 5.0"`,
		`10 bytes from 127.0.0.1:12000: seq=1 time=1.23 ms "PING 1 5.0"`,
		"ping 2: Request timed out",
		"ping 3: Request timed out",
		"--- 127.0.0.1:12000 ping statistics ---",
		"3 packets transmitted, 1 received, 66.6667% packet loss, time 2012ms",
		"rtt min/avg/max/mdev = 1.234/1.234/1.234/0.000 ms",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
