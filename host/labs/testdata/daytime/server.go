package daytime

import (
	"context"
	"net"
	"time"

	"github.com/socklab/socklab/host/labs/testdata/daytime/daytimepb"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// RunServer answers every datagram with the date and time, as RFC 867
// words it, until ctx is done.
func RunServer(ctx context.Context, cfg *daytimepb.DaytimeServerConfig, send func(*daytimepb.DaytimeServerEvent)) error {
	conn, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	send(&daytimepb.DaytimeServerEvent{Event: &daytimepb.DaytimeServerEvent_Ready{Ready: &pb.Ready{Address: conn.LocalAddr().String()}}})
	var answered uint64
	buf := make([]byte, 512)
	for {
		_, peer, err := conn.ReadFrom(buf)
		if err != nil {
			break
		}
		now := time.Now().Format("Monday, January 2, 2006 15:04:05-MST")
		if _, err := conn.WriteTo([]byte(now+"\r\n"), peer); err != nil {
			continue
		}
		answered++
		send(&daytimepb.DaytimeServerEvent{Event: &daytimepb.DaytimeServerEvent_Answer{Answer: &daytimepb.DaytimeAnswer{Peer: peer.String(), Daytime: now}}})
	}
	send(&daytimepb.DaytimeServerEvent{Event: &daytimepb.DaytimeServerEvent_Summary{Summary: &daytimepb.DaytimeServerSummary{Answered: answered}}})
	return nil
}
