package heartbeat

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// plan is a client's schedule, as offsets from its start.
type plan struct {
	interval   time.Duration
	count      uint64        // 0: no limit
	end        time.Duration // 0: no limit; the earlier of duration and stop_after
	pauseAfter time.Duration // a pause happens only when pauseFor > 0
	pauseFor   time.Duration
}

func planOf(cfg *pb.HeartbeatClientConfig) (plan, error) {
	p := plan{
		interval:   cfg.GetInterval().AsDuration(),
		count:      uint64(cfg.GetCount()),
		pauseAfter: cfg.GetPauseAfter().AsDuration(),
		pauseFor:   cfg.GetPauseFor().AsDuration(),
	}
	if p.interval <= 0 {
		return plan{}, fmt.Errorf("interval must be positive, got %v", p.interval)
	}
	for _, d := range []time.Duration{cfg.GetDuration().AsDuration(), cfg.GetStopAfter().AsDuration()} {
		if d < 0 {
			return plan{}, fmt.Errorf("negative duration %v", d)
		}
		if d > 0 && (p.end == 0 || d < p.end) {
			p.end = d
		}
	}
	if p.pauseAfter < 0 || p.pauseFor < 0 {
		return plan{}, fmt.Errorf("negative pause_after %v or pause_for %v", p.pauseAfter, p.pauseFor)
	}
	return p, nil
}

// Beat runs the reference heartbeat client: Sent per heartbeat,
// Paused/Resumed, Summary last. When ctx is cancelled it stops sending,
// sends Summary and returns nil.
func Beat(ctx context.Context, cfg *pb.HeartbeatClientConfig, out *sdk.HeartbeatClientEvents) error {
	p, err := planOf(cfg)
	if err != nil {
		return fmt.Errorf("heartbeat client: %w", err)
	}
	ua, err := net.ResolveUDPAddr("udp", cfg.GetServer())
	if err != nil {
		return fmt.Errorf("heartbeat client: server %q: %w", cfg.GetServer(), err)
	}
	dst := ua.AddrPort()
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	network := "udp6"
	if dst.Addr().Is4() {
		network = "udp4"
	}
	// Not connected: an unreachable server must not turn into write errors,
	// heartbeats are fire-and-forget.
	conn, err := net.ListenUDP(network, nil)
	if err != nil {
		return fmt.Errorf("heartbeat client: open socket: %w", err)
	}
	defer conn.Close()

	start := time.Now()
	wait := waiter(ctx, start, p.end)
	var sent uint64
	var buf []byte
	paused := false
	next := time.Duration(0) // when the next heartbeat is due
	for seq := uint64(1); p.count == 0 || seq <= p.count; seq++ {
		if !paused && p.pauseFor > 0 && next >= p.pauseAfter {
			paused = true
			if !wait(p.pauseAfter) {
				break
			}
			out.Paused(p.pauseFor)
			next = p.pauseAfter + p.pauseFor
			if !wait(next) {
				break
			}
			out.Resumed(seq)
		}
		if !wait(next) {
			break
		}
		now := time.Now()
		buf = AppendHeartbeat(buf[:0], seq, now, cfg.GetClientId())
		if _, err := conn.WriteToUDPAddrPort(buf, dst); err != nil {
			out.Warnf("heartbeat %d: %v", seq, err)
		} else {
			sent++
			out.Sent(seq, now, slices.Clone(buf))
		}
		next += p.interval
	}
	out.Summary(&pb.HeartbeatClientSummary{Sent: sent, Duration: durationpb.New(time.Since(start))})
	return nil
}

// waiter returns a function that sleeps until offset d after start. It
// reports false, without sleeping past it, if end (when not 0) comes first
// or ctx is cancelled.
func waiter(ctx context.Context, start time.Time, end time.Duration) func(d time.Duration) bool {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	return func(d time.Duration) bool {
		ended := end > 0 && d >= end
		if ended {
			d = end
		}
		timer.Reset(time.Until(start.Add(d)))
		select {
		case <-ctx.Done():
			timer.Stop()
			return false
		case <-timer.C:
			return !ended
		}
	}
}
