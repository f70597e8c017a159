// Command exit-early is a ping server that returns as soon as it is ready.
package main

import (
	"context"
	"net"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func main() {
	sdk.ServePingServer(sdk.PingServerFunc(func(ctx context.Context, cfg *pb.PingServerConfig, out *sdk.PingServerEvents) error {
		conn, err := net.ListenPacket("udp", cfg.Listen)
		if err != nil {
			return err
		}
		out.Ready(conn.LocalAddr().String())
		conn.Close()
		out.Summary(&pb.PingServerSummary{})
		return nil
	}))
}
