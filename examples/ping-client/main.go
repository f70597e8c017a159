// Command ping-client is a UDP ping client written the way a student
// answers the lab sheet, served as a socklab plugin. Build it yourself with
// `go build`, or name its directory in a lab file (plugin { go = "..." })
// and the host builds it.
package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

type client struct{}

func (client) Run(ctx context.Context, cfg *pb.PingClientConfig, out *sdk.PingClientEvents) error {
	serverAddr, err := net.ResolveUDPAddr("udp", cfg.Server)
	if err != nil {
		return err
	}
	// Like Python's socket(AF_INET, SOCK_DGRAM): no connect, just sendto.
	sock, err := net.ListenPacket("udp", ":0")
	if err != nil {
		return err
	}
	defer sock.Close()

	var rtts []float64
	buf := make([]byte, 1024)
	sent := 0
	for seq := 1; seq <= int(cfg.Count); seq++ {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		message := fmt.Sprintf("Ping %d %f", seq, float64(start.UnixNano())/1e9)
		if _, err := sock.WriteTo([]byte(message), serverAddr); err != nil {
			return err
		}
		sent++
		out.Sent(uint32(seq), start, []byte(message))

		sock.SetReadDeadline(start.Add(cfg.Timeout.AsDuration()))
		for {
			n, from, err := sock.ReadFrom(buf)
			if err != nil {
				fmt.Println("Request timed out")
				out.Timeout(uint32(seq))
				break
			}
			rtt := time.Since(start)
			var replySeq int
			fmt.Sscanf(string(buf[:n]), "PING %d", &replySeq)
			if replySeq != seq {
				// The reply to an earlier ping, too late: not this one's.
				fmt.Printf("late reply: %s\n", buf[:n])
				continue
			}
			fmt.Printf("%s RTT: %.6f seconds\n", buf[:n], rtt.Seconds())
			out.Reply(uint32(seq), rtt, append([]byte(nil), buf[:n]...), from.String())
			rtts = append(rtts, rtt.Seconds())
			break
		}
	}

	summary := &pb.PingClientSummary{Transmitted: uint32(sent), Received: uint32(len(rtts))}
	if sent > 0 {
		summary.LossPercent = float64(sent-len(rtts)) / float64(sent) * 100
	}
	if len(rtts) > 0 {
		lo, hi, total := rtts[0], rtts[0], 0.0
		for _, r := range rtts {
			lo = math.Min(lo, r)
			hi = math.Max(hi, r)
			total += r
		}
		avg := total / float64(len(rtts))
		variance := 0.0
		for _, r := range rtts {
			variance += (r - avg) * (r - avg)
		}
		summary.RttMin = seconds(lo)
		summary.RttAvg = seconds(avg)
		summary.RttMax = seconds(hi)
		summary.RttMdev = seconds(math.Sqrt(variance / float64(len(rtts))))
		fmt.Printf("min %.6f avg %.6f max %.6f seconds, loss %.0f%%\n", lo, avg, hi, summary.LossPercent)
	}
	out.Summary(summary)
	return nil
}

func seconds(s float64) *durationpb.Duration {
	return durationpb.New(time.Duration(s * float64(time.Second)))
}

func main() {
	sdk.ServePingClient(client{})
}
