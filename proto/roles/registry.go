package roles

import (
	"slices"

	"github.com/socklab/socklab/internal/named"
)

// Registry is a set of roles by name: the host's (host/labs.Builtin),
// plus any a program adds with With (a lab written after this host, its
// role defined beside its implementation). The host's lab reader, runner
// and display look roles up here; nothing else spells a role's name.
type Registry struct {
	roles []Role
}

// Sheet returns the roles of the lab sheet, their facts alone: enough to
// read a lab file and run it, for the tests of the packages host/labs is
// built on, which cannot import it. The host's registry, with what shows,
// reads, serves and grades each role, is host/labs.Builtin.
func Sheet() *Registry {
	return NewRegistry(PingServer(), PingClient(), HeartbeatServer(), HeartbeatClient(), WebServer(), WebClient())
}

// NewRegistry returns a registry of the given roles.
func NewRegistry(rs ...Role) *Registry { return (&Registry{}).With(rs...) }

// With returns a registry of r's roles and more; a role of the same name
// replaces r's.
func (r *Registry) With(more ...Role) *Registry {
	return &Registry{roles: named.With(r.roles, nameOf, more...)}
}

// All returns every role, sorted by name.
func (r *Registry) All() []Role { return slices.Clone(r.roles) }

// Lookup finds a role by name.
func (r *Registry) Lookup(name string) (Role, bool) { return named.Lookup(r.roles, nameOf, name) }

// Names returns the names of all roles, sorted.
func (r *Registry) Names() []string { return named.Names(r.roles, nameOf) }

func nameOf(r Role) string { return r.Name }
