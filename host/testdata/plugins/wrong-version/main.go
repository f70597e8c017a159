// Command wrong-version speaks a plugin protocol version this host does not.
package main

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/socklab/socklab/internal/goplugin"
)

// nothing serves no service: the handshake is what this plugin is about.
type nothing struct{ plugin.NetRPCUnsupportedPlugin }

func (nothing) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func (nothing) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

func main() {
	hs := goplugin.Handshake()
	hs.ProtocolVersion = goplugin.ProtocolVersion + 1
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: hs,
		Plugins:         plugin.PluginSet{"ping_server": nothing{}},
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
