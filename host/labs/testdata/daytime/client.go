package daytime

import (
	"context"
	"net"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/host/labs/testdata/daytime/daytimepb"
)

// RunClient asks the server for the time once and reports its answer.
func RunClient(ctx context.Context, cfg *daytimepb.DaytimeClientConfig, send func(*daytimepb.DaytimeClientEvent)) error {
	conn, err := net.Dial("udp", cfg.Server)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	start := time.Now()
	answered := false
	if _, err := conn.Write([]byte("\n")); err == nil {
		_ = conn.SetReadDeadline(start.Add(cfg.Timeout.AsDuration()))
		buf := make([]byte, 512)
		if n, err := conn.Read(buf); err == nil {
			answered = true
			send(&daytimepb.DaytimeClientEvent{Event: &daytimepb.DaytimeClientEvent_Reply{Reply: &daytimepb.DaytimeReply{
				Daytime: strings.TrimSpace(string(buf[:n])), Rtt: durationpb.New(time.Since(start))}}})
		}
	}
	send(&daytimepb.DaytimeClientEvent{Event: &daytimepb.DaytimeClientEvent_Summary{Summary: &daytimepb.DaytimeClientSummary{Answered: answered}}})
	return nil
}
