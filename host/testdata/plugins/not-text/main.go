// Command not-text is a ping client whose events carry strings that are
// not UTF-8, as bytes from a peer would be.
package main

import (
	"context"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func main() {
	sdk.ServePingClient(sdk.PingClientFunc(func(_ context.Context, _ *pb.PingClientConfig, out *sdk.PingClientEvents) error {
		out.Logf("peer said %s", []byte("caf\xc3 \xff"))
		out.Reply(1, time.Millisecond, []byte("PING \xff"), "host\xfe:1")
		out.Summary(&pb.PingClientSummary{Transmitted: 1, Received: 1})
		return nil
	}))
}
