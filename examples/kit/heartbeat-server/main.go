// Command heartbeat-server is the skeleton of the UDP Heartbeat server (the
// lab sheet's optional exercise 2) as a socklab plugin. Complete the code at
// the places marked "Fill in start" and "Fill in end". It compiles as
// handed out, but does not work yet.
//
// The server listens for "Heartbeat <seq> <time>" datagrams. For each
// client (here: its address) it reports every heartbeat, the seqs that
// never came (a gap in the seqs), a client silent for cfg.DeadAfter as
// down, and a client that was down and beats again as up.
// proto/socklab/v1/heartbeat.proto has the full rules; these are enough.
package main

import (
	"context"
	"net"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// clientState is what the server knows about one client.
type clientState struct {
	highest  uint64    // the highest seq heard
	lastSeen time.Time // when its last heartbeat came
	down     bool
}

// packet is one datagram, as the reading goroutine got it.
type packet struct {
	data []byte
	from string
	at   time.Time
}

type server struct{}

func (server) Run(ctx context.Context, cfg *pb.HeartbeatServerConfig, out *sdk.HeartbeatServerEvents) error {
	serverSocket, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return err
	}
	defer serverSocket.Close()
	out.Ready(serverSocket.LocalAddr().String())
	context.AfterFunc(ctx, func() { serverSocket.Close() })

	// The sheet's recvfrom loop, in a goroutine of its own so that the
	// loop below can also look at the clock.
	packets := make(chan packet)
	go func() {
		defer close(packets)
		for {
			message := make([]byte, 2048)
			n, address, err := serverSocket.ReadFrom(message)
			if err != nil {
				return // closed: the host stopped us
			}
			packets <- packet{message[:n], address.String(), time.Now()}
		}
	}()

	clients := map[string]*clientState{}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case p, ok := <-packets:
			if !ok {
				out.Summary(&pb.HeartbeatServerSummary{})
				return nil
			}
			seq, ok := parseSeq(p.data)
			if !ok {
				continue // not a heartbeat
			}
			c := clients[p.from]
			if c == nil {
				c = &clientState{highest: seq - 1}
				clients[p.from] = c
			}
			account(c, p.from, seq, p.at, out)
			c.highest, c.lastSeen = max(c.highest, seq), p.at
			out.Heartbeat(p.from, p.from, seq, p.at, 0)
		case now := <-tick.C:
			for name, c := range clients {
				if !c.down {
					checkSilence(c, name, now, cfg.DeadAfter.AsDuration(), out)
				}
			}
		}
	}
}

// parseSeq reads the seq of "Heartbeat <seq> <time>" (strings.Fields and
// strconv.ParseUint help); ok is false for a datagram that is not one.
func parseSeq(datagram []byte) (seq uint64, ok bool) {
	// Fill in start
	// Fill in end
	return 0, false
}

// account reports what heartbeat seq of client c tells before it counts:
// if c was down it is up again (out.Up), and the seqs between c.highest and
// seq never came (out.Lost with the first and last of them).
func account(c *clientState, name string, seq uint64, at time.Time, out *sdk.HeartbeatServerEvents) {
	// Fill in start
	// Fill in end
}

// checkSilence declares client c down when it has been silent for
// deadAfter: out.Down(name, c.highest, c.lastSeen, c.lastSeen.Add(deadAfter)),
// and marks it down (so that it is declared down once, and up again at its
// next heartbeat).
func checkSilence(c *clientState, name string, now time.Time, deadAfter time.Duration, out *sdk.HeartbeatServerEvents) {
	// Fill in start
	// Fill in end
}

func main() {
	sdk.ServeHeartbeatServer(server{})
}
