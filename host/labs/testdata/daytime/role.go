// Package daytime is the toy role docs/ADDING-A-ROLE.md adds, RFC 867's
// Daytime protocol over UDP, kept as test data so that a test follows the
// guide's steps: its roles (this file), its proto and generated code
// (daytimepb), its reference implementation (server.go, client.go) and the
// plugin that serves it (plugin).
package daytime

import (
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/host/labs/testdata/daytime/daytimepb"
	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
)

// Server is the daytime server role: the one place its name is spelled.
func Server() roles.Role {
	return roles.Role{
		Name:    "daytime_server",
		Side:    roles.Server,
		Service: daytimepb.File_daytime_daytime_proto.Services().ByName("DaytimeServer"),
		Defaults: func() proto.Message {
			return &daytimepb.DaytimeServerConfig{Listen: "127.0.0.1:13013"}
		},
		Check:        func(proto.Message) []roles.FieldError { return nil },
		Transport:    roles.UDP,
		AddressField: "listen",
	}
}

// Client is the daytime client role.
func Client() roles.Role {
	return roles.Role{
		Name:    "daytime_client",
		Side:    roles.Client,
		Service: daytimepb.File_daytime_daytime_proto.Services().ByName("DaytimeClient"),
		Defaults: func() proto.Message {
			return &daytimepb.DaytimeClientConfig{Timeout: durationpb.New(time.Second)}
		},
		Check: func(m proto.Message) []roles.FieldError {
			if m.(*daytimepb.DaytimeClientConfig).Timeout.AsDuration() <= 0 {
				return []roles.FieldError{{Field: "timeout", Message: "must be a positive duration"}}
			}
			return nil
		},
		Transport:    roles.UDP,
		AddressField: "server",
		Required:     []string{"server"},
	}
}

// ServerPlugin is the server's reference implementation as the SDK
// serves it.
func ServerPlugin() sdk.Role {
	return sdk.NewRole(Server().Name, &daytimepb.DaytimeServer_ServiceDesc,
		func(evs []*daytimepb.DaytimeServerEvent) *daytimepb.DaytimeServerBatch {
			return &daytimepb.DaytimeServerBatch{Events: evs}
		}, RunServer)
}

// ClientPlugin is the client's reference implementation as the SDK
// serves it.
func ClientPlugin() sdk.Role {
	return sdk.NewRole(Client().Name, &daytimepb.DaytimeClient_ServiceDesc,
		func(evs []*daytimepb.DaytimeClientEvent) *daytimepb.DaytimeClientBatch {
			return &daytimepb.DaytimeClientBatch{Events: evs}
		}, RunClient)
}
