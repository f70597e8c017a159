// Command heartbeat-client is the UDP Heartbeat client of the lab sheet's
// optional exercise 2, written the way a student adapts their ping client:
// one loop that sends "Heartbeat <seq> <time>" on every tick of a
// time.Ticker and never waits for an answer. Served as a socklab plugin.
//
// To see a server report loss without a lossy network, it can leave
// heartbeats out on purpose, as the sheet's server drops pings: with
// SKIP="4,5,6" in its environment (env in the lab file's plugin block) it
// does not send those seqs.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

type client struct{}

func (client) Run(ctx context.Context, cfg *pb.HeartbeatClientConfig, out *sdk.HeartbeatClientEvents) error {
	skip, err := parseSkip(os.Getenv("SKIP"))
	if err != nil {
		return err
	}
	serverAddr, err := net.ResolveUDPAddr("udp", cfg.Server)
	if err != nil {
		return err
	}
	sock, err := net.ListenPacket("udp", ":0")
	if err != nil {
		return err
	}
	defer sock.Close()

	interval := cfg.Interval.AsDuration()
	pauseAfter, pauseFor := cfg.PauseAfter.AsDuration(), cfg.PauseFor.AsDuration()
	// The run ends at the first heartbeat due at or after end (0: never).
	end := cfg.Duration.AsDuration()
	if stop := cfg.StopAfter.AsDuration(); stop > 0 && (end == 0 || stop < end) {
		end = stop
	}

	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	start := time.Now()
	// due is when the current heartbeat is due, counted in whole intervals
	// from the start rather than read from the clock, so that a late tick
	// never changes which seqs go out before a pause or the end.
	var due time.Duration
	paused := false
	sent := 0
loop:
	for seq := 1; cfg.Count == 0 || seq <= int(cfg.Count); seq++ {
		if seq > 1 {
			select {
			case <-ctx.Done():
				break loop
			case <-ticker.C:
			}
			due += interval
		}
		if end > 0 && due >= end {
			break
		}
		if pauseFor > 0 && !paused && due >= pauseAfter {
			paused = true
			out.Send(&pb.HeartbeatClientEvent{Event: &pb.HeartbeatClientEvent_Paused{
				Paused: &pb.HeartbeatPaused{PauseFor: durationpb.New(pauseFor)}}})
			select {
			case <-ctx.Done():
				break loop
			case <-time.After(pauseFor):
			}
			due += pauseFor
			if end > 0 && due >= end {
				break
			}
			ticker.Reset(interval) // the next heartbeat one interval after this one
			out.Send(&pb.HeartbeatClientEvent{Event: &pb.HeartbeatClientEvent_Resumed{
				Resumed: &pb.HeartbeatResumed{NextSeq: uint64(seq)}}})
		}
		if skip[seq] {
			fmt.Printf("leaving out heartbeat %d (SKIP)\n", seq)
			continue
		}

		now := time.Now()
		message := fmt.Sprintf("Heartbeat %d %f", seq, float64(now.UnixNano())/1e9)
		if cfg.ClientId != "" {
			message += " " + cfg.ClientId
		}
		if _, err := sock.WriteTo([]byte(message), serverAddr); err != nil {
			// No answer is expected anyway: note it and keep beating.
			out.Warnf("heartbeat %d: %v", seq, err)
			continue
		}
		sent++
		out.Sent(uint64(seq), now, []byte(message))
	}

	out.Summary(&pb.HeartbeatClientSummary{Sent: uint64(sent), Duration: durationpb.New(time.Since(start))})
	return nil
}

// parseSkip reads "4,5,6" (or "4 5 6") into a set of seqs.
func parseSkip(s string) (map[int]bool, error) {
	skip := map[int]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		seq, err := strconv.Atoi(f)
		if err != nil || seq < 1 {
			return nil, fmt.Errorf("SKIP=%q: %q is not a heartbeat number", s, f)
		}
		skip[seq] = true
	}
	return skip, nil
}

func main() {
	sdk.ServeHeartbeatClient(client{})
}
