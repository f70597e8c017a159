package ping

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Run runs the reference ping client: cfg.Count pings to cfg.Server, one at
// a time, each waiting up to cfg.Timeout for its reply.
func Run(ctx context.Context, cfg *pb.PingClientConfig, out *sdk.PingClientEvents) error {
	server, err := net.ResolveUDPAddr("udp", cfg.Server)
	if err != nil {
		return fmt.Errorf("ping client: server address: %w", err)
	}
	conn, err := net.DialUDP("udp", nil, server)
	if err != nil {
		return fmt.Errorf("ping client: %w", err)
	}
	defer conn.Close()
	// Cancelling wakes a blocked read; the loop then sees ctx.Err().
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()

	var stats Stats
	// Per-ping events go to report: out itself, or a list sent after the
	// last ping when the lab asks for them to be held.
	report := out
	var held []*pb.PingClientEvent
	if cfg.HoldEvents {
		report = sdk.NewPingClientEvents(func(ev *pb.PingClientEvent) {
			roles.Stamp(ev, time.Now())
			held = append(held, ev)
		})
	}
	release := func() {
		// A held Sent is reported after its round trip (see below): back
		// into the order things happened.
		slices.SortStableFunc(held, func(a, b *pb.PingClientEvent) int {
			return a.Time.AsTime().Compare(b.Time.AsTime())
		})
		for _, ev := range held {
			out.Send(ev)
		}
		held = nil
	}
	defer release() // also when a socket error ends the run

	timeout, interval := cfg.Timeout.AsDuration(), cfg.Interval.AsDuration()
	sentAt := make([]time.Time, cfg.Count+1) // by seq, for late replies
	buf := datagramBuffers(1)[0]
	msg := make([]byte, 0, 64)
	unreachableSaid := false
	// await reads until the reply to ping seq, its timeout or the end of
	// the run, reporting what arrives meanwhile.
	await := func(seq uint32, start time.Time) error {
		if err := conn.SetReadDeadline(start.Add(timeout)); err != nil {
			return fmt.Errorf("ping client: %w", err)
		}
		for {
			n, err := conn.Read(buf)
			rtt := time.Since(start)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if errors.Is(err, os.ErrDeadlineExceeded) {
					report.Timeout(seq)
					return nil
				}
				if errors.Is(err, syscall.ECONNREFUSED) {
					// An ICMP port unreachable: nobody listens there. Keep
					// waiting; the ping will time out like the sheet's.
					if !unreachableSaid {
						report.Warnf("%s: port unreachable (is the server running?)", cfg.Server)
						unreachableSaid = true
					}
					continue
				}
				return fmt.Errorf("ping client: receiving reply to ping %d: %w", seq, err)
			}
			payload := clone(buf[:n])
			if got, ok := ReplySeq(payload); ok && got != seq {
				if got >= 1 && got < seq {
					report.Late(got, time.Since(sentAt[got]), payload)
				} else {
					report.Warnf("ignored a reply for ping %d, which was never sent: %q", got, payload)
				}
				continue
			}
			stats.Add(rtt)
			report.Reply(seq, rtt, payload, server.String())
			return nil
		}
	}
	for seq := uint32(1); seq <= cfg.Count && ctx.Err() == nil; seq++ {
		start := time.Now()
		msg = AppendMessage(msg[:0], seq, start)
		if _, err := conn.Write(msg); err != nil {
			return fmt.Errorf("ping client: sending ping %d: %w", seq, err)
		}
		sentAt[seq] = start
		stats.Transmitted++
		if !cfg.HoldEvents {
			report.Sent(seq, start, clone(msg))
		}
		err := await(seq, start)
		if cfg.HoldEvents {
			// Built after the round trip, not while the reply is on its
			// way: measured, a held Sent built there slowed the round trips.
			report.Sent(seq, start, clone(msg))
		}
		if err != nil {
			return err
		}
		if wait := time.Until(start.Add(interval)); wait > 0 && seq < cfg.Count {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
	}
	release()
	out.Summary(stats.Summary())
	return nil
}

// AppendMessage appends the ping the sheet specifies to b: "Ping <seq>
// <time>", the time in Unix seconds with microseconds, like Python's
// time.time().
func AppendMessage(b []byte, seq uint32, at time.Time) []byte {
	b = append(b, "Ping "...)
	b = strconv.AppendUint(b, uint64(seq), 10)
	b = append(b, ' ')
	return AppendUnixSeconds(b, at)
}

// AppendUnixSeconds appends t as Unix seconds with six decimals.
func AppendUnixSeconds(b []byte, t time.Time) []byte {
	us := t.UnixMicro()
	b = strconv.AppendInt(b, us/1e6, 10)
	b = append(b, '.')
	frac := strconv.AppendInt(nil, us%1e6+1e6, 10) // leading 1 keeps the zeros
	return append(b, frac[1:]...)
}

// ReplySeq reads the seq of a reply "PING <seq> ...", case-insensitively.
func ReplySeq(reply []byte) (uint32, bool) {
	fields := bytes.Fields(reply)
	if len(fields) < 2 || !bytes.EqualFold(fields[0], []byte("ping")) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(fields[1]), 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}
