// Command huge-event is a ping client that sends an event larger than the
// host accepts.
package main

import (
	"context"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func main() {
	sdk.ServePingClient(sdk.PingClientFunc(func(ctx context.Context, _ *pb.PingClientConfig, out *sdk.PingClientEvents) error {
		out.Sent(1, time.Now(), make([]byte, 65<<20))
		<-ctx.Done()
		return ctx.Err()
	}))
}
