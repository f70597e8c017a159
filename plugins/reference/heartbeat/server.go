package heartbeat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/socklab/socklab/plugins/reference/internal/udpdrain"
	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

const (
	// ReadBuffer is the receive buffer Serve asks for: at 200k datagrams/s
	// it absorbs tens of milliseconds of scheduling hiccups.
	ReadBuffer = 4 << 20
	// batchSize is how many datagrams one recvmmsg may return.
	batchSize = 64
)

// Serve runs the reference heartbeat server until ctx is cancelled: it sends
// Ready once bound, then the events of heartbeat.proto; on cancel it reads
// the datagrams already queued, reports the pending gaps as Lost, sends
// Summary last and returns nil.
func Serve(ctx context.Context, cfg *pb.HeartbeatServerConfig, out *sdk.HeartbeatServerEvents) error {
	tc := trackerConfig{
		deadAfter:        cfg.GetDeadAfter().AsDuration(),
		reorderWindow:    cfg.GetReorderWindow().AsDuration(),
		reportHeartbeats: cfg.GetReportHeartbeats(),
		maxClients:       int(cfg.GetMaxClients()),
		summaryClients:   int(cfg.GetSummaryClients()),
	}
	if tc.deadAfter <= 0 {
		return fmt.Errorf("heartbeat server: dead_after must be positive, got %v", tc.deadAfter)
	}
	if tc.reorderWindow < 0 {
		return fmt.Errorf("heartbeat server: reorder_window must not be negative, got %v", tc.reorderWindow)
	}
	conn, granted, err := Listen(ctx, cfg.GetListen(), ReadBuffer)
	if err != nil {
		return fmt.Errorf("heartbeat server: %w", err)
	}
	defer conn.Close()
	out.Ready(conn.LocalAddr().String())
	// Only a capped buffer is news; the size granted is a detail for -v, a
	// level the senders' Logf and Warnf do not offer.
	buffer := fmt.Sprintf("receive buffer: asked for %d bytes, the kernel reports %d", ReadBuffer, granted)
	if granted > 0 && granted < ReadBuffer {
		out.Warnf("%s (capped: on Linux raise net.core.rmem_max)", buffer)
	} else {
		out.Send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Log{Log: &pb.Log{Level: pb.Log_LEVEL_DEBUG, Message: buffer}}})
	}

	t := newTracker(tc, out)
	err = receive(ctx, conn, t)
	t.finish(time.Now())
	return err
}

// Listen binds a UDP socket at addr with a receive buffer of readBuffer
// bytes and returns it with the size the kernel reports it granted: 0 where
// that cannot be read; Linux caps the request at net.core.rmem_max and
// reports twice what it allows, counting its bookkeeping.
func Listen(ctx context.Context, addr string, readBuffer int) (*net.UDPConn, int, error) {
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, 0, fmt.Errorf("listen on %q: %w", addr, err)
	}
	conn := pc.(*net.UDPConn)
	if err := conn.SetReadBuffer(readBuffer); err != nil {
		conn.Close()
		return nil, 0, fmt.Errorf("set receive buffer of %s: %w", conn.LocalAddr(), err)
	}
	granted, _ := grantedReadBuffer(conn)
	return conn, granted, nil
}

// batchReader is ipv4.PacketConn or ipv6.PacketConn: recvmmsg on Linux,
// one datagram per call elsewhere.
type batchReader interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
}

// receive reads datagrams into t until ctx is cancelled, sweeping t
// whenever something comes due. It is the only goroutine touching t, so
// events come out in the order they happened. After the cancel it still
// reads what is already queued on the socket: heartbeats sent before the
// stop count.
func receive(ctx context.Context, conn *net.UDPConn, t *tracker) error {
	var r batchReader = ipv4.NewPacketConn(conn)
	if conn.LocalAddr().(*net.UDPAddr).IP.To4() == nil {
		r = ipv6.NewPacketConn(conn)
	}
	msgs := make([]ipv4.Message, batchSize)
	for i := range msgs {
		// One spare byte tells a datagram that is too long from one that fits.
		msgs[i].Buffers = [][]byte{make([]byte, maxDatagram+1)}
	}
	handle := func(n int) {
		now := time.Now()
		for _, m := range msgs[:n] {
			t.handle(now, peerOf(m.Addr), m.Buffers[0][:m.N])
		}
		// Sweep after: a datagram that waited in the socket while the server
		// was busy still proves its client alive.
		t.sweep(now)
	}

	// A deadline in the past is what interrupts a blocked read.
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	var deadline time.Time
	for {
		if next := t.nextDue(); !next.Equal(deadline) {
			if err := conn.SetReadDeadline(next); err != nil {
				return fmt.Errorf("heartbeat server: set read deadline: %w", err)
			}
			deadline = next
		}
		// Checked after setting the deadline, which may have undone the
		// cancel's.
		if ctx.Err() != nil {
			break
		}
		n, err := r.ReadBatch(msgs, 0)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			n = 0 // cancelled or something came due; n may hold a failed call's -1
		case err != nil:
			return fmt.Errorf("heartbeat server: read: %w", err)
		}
		handle(n)
	}
	// After a stop, what is queued still counts.
	err := udpdrain.Drain(conn, func() error {
		n, err := r.ReadBatch(msgs, 0)
		if err == nil {
			handle(n)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("heartbeat server: %w", err)
	}
	return nil
}

func peerOf(a net.Addr) netip.AddrPort {
	ua, ok := a.(*net.UDPAddr)
	if !ok {
		return netip.AddrPort{}
	}
	ap := ua.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
