// Package reference gathers socklab's reference implementation of every
// role, the builtin plugin a lab gets when it names no other.
package reference

import (
	"github.com/socklab/socklab/plugins/reference/heartbeat"
	"github.com/socklab/socklab/plugins/reference/ping"
	"github.com/socklab/socklab/plugins/reference/web"
	"github.com/socklab/socklab/plugins/sdk"
)

// Plugins returns the reference implementation of each role.
func Plugins() sdk.Plugins {
	return sdk.Plugins{
		PingServer:      sdk.PingServerFunc(ping.Serve),
		PingClient:      sdk.PingClientFunc(ping.Run),
		HeartbeatServer: sdk.HeartbeatServerFunc(heartbeat.Serve),
		HeartbeatClient: sdk.HeartbeatClientFunc(heartbeat.Beat),
		WebServer:       sdk.WebServerFunc(web.Serve),
		WebClient:       sdk.WebClientFunc(web.Fetch),
	}
}
