// Command ping-server is the skeleton of the UDP Pinger server (the lab
// sheet's UDPPingerServer.py) as a socklab plugin. Complete the code at the
// places marked "Fill in start" and "Fill in end". It compiles as handed
// out, but does not work yet.
//
// The server binds cfg.Listen, reports Ready, then for each datagram it
// receives decides, with probability cfg.DropRate, to pretend it was lost;
// otherwise it sends it back upper-cased to where it came from. It must keep
// going whatever it receives: an empty datagram, or bytes that are not text.
package main

import (
	"context"
	"errors"
	"math/rand"
	"net"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

type server struct{}

func (server) Run(ctx context.Context, cfg *pb.PingServerConfig, out *sdk.PingServerEvents) error {
	// Create a UDP socket bound to cfg.Listen.
	var serverSocket net.PacketConn
	// Fill in start
	// Fill in end
	if serverSocket == nil {
		return errors.New("there is no socket yet: fill in the gap that binds it")
	}
	defer serverSocket.Close()
	out.Ready(serverSocket.LocalAddr().String())
	// When the host stops the server, close the socket: ReadFrom returns.
	context.AfterFunc(ctx, func() { serverSocket.Close() })

	random := rand.New(rand.NewSource(cfg.Seed))
	var summary pb.PingServerSummary
	message := make([]byte, 2048)
	for {
		n, address, err := serverSocket.ReadFrom(message)
		if err != nil {
			break // closed: the host stopped us
		}
		summary.Received++
		request := append([]byte(nil), message[:n]...)
		if dropped(random, cfg.DropRate) {
			summary.Dropped++
			out.Drop(address.String(), request)
			continue
		}
		reply := upper(request)
		if _, err := serverSocket.WriteTo(reply, address); err != nil {
			continue
		}
		summary.Echoed++
		out.Echo(address.String(), request, reply)
	}
	out.Summary(&summary)
	return nil
}

// dropped decides whether to pretend a datagram was lost: true with
// probability rate (random.Float64() is a number in [0, 1)).
func dropped(random *rand.Rand, rate float64) bool {
	// Fill in start
	// Fill in end
	return false
}

// upper capitalizes the message as Python's bytes.upper() does: ASCII
// letters only, every other byte as it is.
func upper(message []byte) []byte {
	reply := make([]byte, len(message))
	// Fill in start
	// Fill in end
	return reply
}

func main() {
	sdk.ServePingServer(server{})
}
