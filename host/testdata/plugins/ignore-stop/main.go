// Command ignore-stop is a ping server that never looks at its context, so
// it cannot be stopped politely.
package main

import (
	"context"
	"net"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func main() {
	sdk.ServePingServer(sdk.PingServerFunc(func(_ context.Context, cfg *pb.PingServerConfig, out *sdk.PingServerEvents) error {
		conn, err := net.ListenPacket("udp", cfg.Listen)
		if err != nil {
			return err
		}
		out.Ready(conn.LocalAddr().String())
		buf := make([]byte, 1024)
		for {
			n, peer, err := conn.ReadFrom(buf)
			if err != nil {
				return err
			}
			conn.WriteTo(buf[:n], peer)
		}
	}))
}
