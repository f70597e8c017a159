package student

import (
	"context"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// PingClient is the sheet's client. Its zero value is right.
type PingClient struct {
	// Format is the message, from seq and the send time in Unix seconds;
	// right: "Ping %d %f".
	Format string
	// Wait overrides the reply timeout; negative: wait forever.
	Wait time.Duration
	// AnyReply takes the first datagram that comes as this ping's reply:
	// a late reply passes for the next ping's.
	AnyReply bool
	// SwapMinMax prints min and max the wrong way round.
	SwapMinMax bool
	// LossOverReceived computes the loss as lost / received.
	LossOverReceived bool
}

func (c PingClient) Run(ctx context.Context, cfg *pb.PingClientConfig, out *sdk.PingClientEvents) error {
	server, err := net.ResolveUDPAddr("udp", cfg.Server)
	if err != nil {
		return err
	}
	sock, err := net.ListenUDP("udp", nil)
	if err != nil {
		return err
	}
	defer sock.Close()
	stop := context.AfterFunc(ctx, func() { sock.SetReadDeadline(time.Now()) })
	defer stop()
	format, wait := c.Format, c.Wait
	if format == "" {
		format = "Ping %d %f"
	}
	if wait == 0 {
		wait = cfg.Timeout.AsDuration()
	}
	var rtts []time.Duration
	sent := 0
	buf := make([]byte, 1024)
	for seq := 1; seq <= int(cfg.Count) && ctx.Err() == nil; seq++ {
		start := time.Now()
		msg := fmt.Sprintf(format, seq, float64(start.UnixNano())/1e9)
		if _, err := sock.WriteToUDP([]byte(msg), server); err != nil {
			return err
		}
		sent++
		out.Sent(uint32(seq), start, []byte(msg))
		deadline := time.Time{}
		if wait > 0 {
			deadline = start.Add(wait)
		}
		sock.SetReadDeadline(deadline)
		for {
			n, from, err := sock.ReadFromUDP(buf)
			if err != nil {
				fmt.Println("Request timed out")
				out.Timeout(uint32(seq))
				break
			}
			reply := append([]byte(nil), buf[:n]...)
			if fields := strings.Fields(string(reply)); !c.AnyReply && (len(fields) < 2 || fields[1] != strconv.Itoa(seq)) {
				continue
			}
			rtt := time.Since(start)
			fmt.Printf("%s RTT: %.6f seconds\n", reply, rtt.Seconds())
			out.Reply(uint32(seq), rtt, reply, from.String())
			rtts = append(rtts, rtt)
			break
		}
	}
	out.Summary(c.summary(sent, rtts))
	return nil
}

func (c PingClient) summary(sent int, rtts []time.Duration) *pb.PingClientSummary {
	s := &pb.PingClientSummary{Transmitted: uint32(sent), Received: uint32(len(rtts))}
	lost := float64(sent - len(rtts))
	switch {
	case c.LossOverReceived && len(rtts) > 0:
		s.LossPercent = 100 * lost / float64(len(rtts))
	case sent > 0:
		s.LossPercent = 100 * lost / float64(sent)
	}
	if len(rtts) == 0 {
		return s
	}
	lo, hi, sum, squares := rtts[0], rtts[0], 0.0, 0.0
	for _, r := range rtts {
		lo, hi = min(lo, r), max(hi, r)
		sum += r.Seconds()
		squares += r.Seconds() * r.Seconds()
	}
	if c.SwapMinMax {
		lo, hi = hi, lo
	}
	n := float64(len(rtts))
	avg := sum / n
	s.RttMin, s.RttMax = durationpb.New(lo), durationpb.New(hi)
	s.RttAvg = durationpb.New(time.Duration(avg * 1e9))
	s.RttMdev = durationpb.New(time.Duration(math.Sqrt(math.Max(0, squares/n-avg*avg)) * 1e9))
	return s
}

// PingServer is the sheet's server. Its zero value is right.
type PingServer struct {
	// NoUpper echoes the datagram as it came.
	NoUpper bool
	// ParseSeq reads the seq of each ping as if every datagram were one:
	// junk makes it crash.
	ParseSeq bool
}

func (s PingServer) Run(ctx context.Context, cfg *pb.PingServerConfig, out *sdk.PingServerEvents) error {
	sock, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return err
	}
	defer sock.Close()
	context.AfterFunc(ctx, func() { sock.Close() })
	out.Ready(sock.LocalAddr().String())
	random := newRandom(cfg.Seed)
	var sum pb.PingServerSummary
	buf := make([]byte, 1024)
	for {
		n, from, err := sock.ReadFrom(buf)
		if err != nil {
			break
		}
		msg := append([]byte(nil), buf[:n]...)
		if s.ParseSeq {
			seq, _ := strconv.Atoi(strings.Fields(string(msg))[1]) // panics on junk
			_ = seq
		}
		sum.Received++
		if random() < cfg.DropRate {
			sum.Dropped++
			out.Drop(from.String(), msg)
			continue
		}
		reply := msg
		if !s.NoUpper {
			reply = []byte(strings.ToUpper(string(msg)))
		}
		sock.WriteTo(reply, from)
		sum.Echoed++
		out.Echo(from.String(), msg, reply)
	}
	out.Summary(&sum)
	return nil
}
