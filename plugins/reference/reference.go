// Package reference gathers socklab's reference implementation of every
// role, the builtin plugin a lab gets when it names no other.
package reference

import (
	"context"

	"github.com/socklab/socklab/plugins/reference/heartbeat"
	"github.com/socklab/socklab/plugins/reference/ping"
	"github.com/socklab/socklab/plugins/reference/web"
	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Plugins returns the reference implementation of each role.
func Plugins() sdk.Plugins {
	return sdk.Plugins{
		PingServer: sdk.PingServerFunc(ping.Serve),
		PingClient: sdk.PingClientFunc(ping.Run),
		HeartbeatServer: sdk.HeartbeatServerFunc(func(ctx context.Context, cfg *pb.HeartbeatServerConfig, out *sdk.HeartbeatServerEvents) error {
			return heartbeat.Serve(ctx, cfg, out.Send)
		}),
		HeartbeatClient: sdk.HeartbeatClientFunc(func(ctx context.Context, cfg *pb.HeartbeatClientConfig, out *sdk.HeartbeatClientEvents) error {
			return heartbeat.Beat(ctx, cfg, out.Send)
		}),
		WebServer: sdk.WebServerFunc(func(ctx context.Context, cfg *pb.WebServerConfig, out *sdk.WebServerEvents) error {
			return web.Serve(ctx, cfg, out.Send)
		}),
		WebClient: sdk.WebClientFunc(func(ctx context.Context, cfg *pb.WebClientConfig, out *sdk.WebClientEvents) error {
			return web.Fetch(ctx, cfg, out.Send)
		}),
	}
}
