// Package ping is socklab's reference UDP Pinger: the lab sheet's server
// (echo upper-cased, drop some) and the client it asks students to write.
package ping

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/socklab/socklab/plugins/reference/internal/udpdrain"
	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// maxDatagram is the largest UDP payload; the sheet's recvfrom(1024) would
// truncate longer ones, we echo them whole.
const maxDatagram = 65535

// Serve runs the reference ping server until ctx is done.
func Serve(ctx context.Context, cfg *pb.PingServerConfig, out *sdk.PingServerEvents) error {
	pc, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("ping server: %w", err)
	}
	conn := pc.(*net.UDPConn)
	defer conn.Close()
	// A deadline in the past is what interrupts a blocked read.
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	out.Ready(conn.LocalAddr().String())

	// Two fixed words keep the stream of drops a function of the seed alone.
	drops := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x70696e67))
	var sum pb.PingServerSummary
	bufs := datagramBuffers(2)
	buf, reply := bufs[0], bufs[1]
	answer := func(n int, peer netip.AddrPort) {
		sum.Received++
		if drops.Float64() < cfg.DropRate {
			sum.Dropped++
			if !cfg.SummaryOnly {
				out.Drop(peer.String(), clone(buf[:n]))
			}
			return
		}
		// Answer first: copies for the event would only delay the reply.
		upperASCII(reply[:n], buf[:n])
		if _, err := conn.WriteToUDPAddrPort(reply[:n], peer); err != nil {
			out.Warnf("reply to %s: %v", peer, err)
			return
		}
		sum.Echoed++
		if !cfg.SummaryOnly {
			out.Echo(peer.String(), clone(buf[:n]), clone(reply[:n]))
		}
	}
	for ctx.Err() == nil {
		n, peer, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, net.ErrClosed) {
				break
			}
			out.Warnf("receive: %v", err)
			continue
		}
		answer(n, peer)
	}
	// Once stopped, it still answers what its socket holds: a ping its link
	// delivered just before the stop is in the Summary, whatever the timing.
	udpdrain.Drain(conn, func() error {
		n, peer, err := conn.ReadFromUDPAddrPort(buf)
		if err == nil {
			answer(n, peer)
		}
		return err
	})
	out.Summary(&sum)
	return nil
}

// upperASCII writes src upper-cased into dst as Python's bytes.upper()
// does: ASCII letters only; other bytes, UTF-8 included, pass unchanged.
func upperASCII(dst, src []byte) {
	for i, c := range src {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst[i] = c
	}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// datagramBuffers returns n buffers of a datagram's largest size, in one
// allocation on the heap. Not make([]byte, maxDatagram) in the function
// that reads: a buffer of a constant size up to 64 KiB that does not
// escape goes on the goroutine's stack, which is then grown to hold it and
// zeroed page by page as the server or client starts.
func datagramBuffers(n int) [][]byte {
	all := make([]byte, n*maxDatagram)
	bufs := make([][]byte, n)
	for i := range bufs {
		bufs[i] = all[i*maxDatagram : (i+1)*maxDatagram : (i+1)*maxDatagram]
	}
	return bufs
}
