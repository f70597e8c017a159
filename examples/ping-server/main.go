// Command ping-server is the lab sheet's UDPPingerServer.py as a student
// would port it to Go, served as a socklab plugin.
package main

import (
	"context"
	"math/rand"
	"net"
	"strings"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

type server struct{}

func (server) Run(ctx context.Context, cfg *pb.PingServerConfig, out *sdk.PingServerEvents) error {
	serverSocket, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return err
	}
	out.Ready(serverSocket.LocalAddr().String())
	go func() {
		<-ctx.Done()
		serverSocket.Close() // wakes up ReadFrom below
	}()

	random := rand.New(rand.NewSource(cfg.Seed))
	var summary pb.PingServerSummary
	message := make([]byte, 1024)
	for {
		n, address, err := serverSocket.ReadFrom(message)
		if err != nil {
			break // closed: the host stopped us
		}
		summary.Received++
		upper := strings.ToUpper(string(message[:n]))
		// The sheet: if rand < 4 out of randint(0, 10), the packet is lost.
		if random.Float64() < cfg.DropRate {
			summary.Dropped++
			out.Drop(address.String(), []byte(string(message[:n])))
			continue
		}
		serverSocket.WriteTo([]byte(upper), address)
		summary.Echoed++
		out.Echo(address.String(), []byte(string(message[:n])), []byte(upper))
	}
	out.Summary(&summary)
	return nil
}

func main() {
	sdk.ServePingServer(server{})
}
