// Command crash is a ping client that crashes mid-run: a panic in a
// goroutine of its own takes the whole process down.
package main

import (
	"context"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func main() {
	sdk.ServePingClient(sdk.PingClientFunc(func(ctx context.Context, cfg *pb.PingClientConfig, out *sdk.PingClientEvents) error {
		out.Sent(1, time.Now(), []byte("Ping 1 0"))
		go func() {
			var table []int
			_ = table[cfg.Count] // index out of range
		}()
		<-ctx.Done()
		return nil
	}))
}
