package sdk

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// Role is a role served without a typed interface of this SDK: a new
// lab's role, served by its own plugin (docs/ADDING-A-ROLE.md). Give it to
// Serve in Plugins.Roles.
type Role struct {
	name string
	reg  registration
}

// NewRole serves run as the role called name (its roles.Role's Name): desc
// is the role's generated gRPC service description, batch wraps events in
// the batch message its Run streams, and run sends each event with send,
// which stamps it and queues it for the host as for every other role.
func NewRole[C, B any, E proto.Message](name string, desc *grpc.ServiceDesc, batch func([]E) *B,
	run func(ctx context.Context, cfg *C, send func(E)) error) Role {
	identity := func(send func(E)) func(E) { return send }
	return Role{name: name, reg: registrar(desc, identity, batch, run)}
}
