// Package goplugin is what the host and the Go SDK agree on to speak
// go-plugin: the handshake, and the glue that hands a role's gRPC service
// to go-plugin. Plugin authors never see it: plugins/sdk serves roles with
// it and host/launch starts plugins with it.
package goplugin

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// The handshake host and plugins agree on before anything else. A plugin
// whose ProtocolVersion differs from the host's is refused with a message
// naming both; bump it (and plugins/python's APP_PROTOCOL_VERSION) when
// proto/ changes incompatibly.
const (
	ProtocolVersion  = 2
	MagicCookieKey   = "SOCKLAB_PLUGIN"
	MagicCookieValue = "udp-tcp-playground"
)

// Handshake returns the go-plugin handshake of this protocol version.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   MagicCookieKey,
		MagicCookieValue: MagicCookieValue,
	}
}

// GRPCPlugin is the go-plugin glue of one role. On the plugin side it
// registers the role's gRPC service with Register; on the host side
// (Register nil) it hands over the plugin's *grpc.ClientConn, which the
// host drives through the role's service descriptor.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Register func(*grpc.Server)
}

// GRPCServer registers the role's service.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	p.Register(s)
	return nil
}

// GRPCClient returns the connection to the plugin.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return c, nil
}
