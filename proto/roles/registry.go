package roles

import (
	"slices"
	"strings"
)

// Registry is a set of roles by name: the host's (host/labs.Builtin),
// plus any a program adds with With (a lab written after this host, its
// role defined beside its implementation). The host's lab reader, runner
// and display look roles up here; nothing else spells a role's name.
type Registry struct {
	roles []Role
}

// Sheet returns the roles of the lab sheet, their facts alone: what the
// plugin SDK and a lab file's reader need. The host's registry, with what
// shows, reads, serves and grades each role, is host/labs.Builtin.
func Sheet() *Registry {
	return NewRegistry(PingServer(), PingClient(), HeartbeatServer(), HeartbeatClient(), WebServer(), WebClient())
}

// NewRegistry returns a registry of the given roles.
func NewRegistry(rs ...Role) *Registry { return (&Registry{}).With(rs...) }

// With returns a registry of r's roles and more; a role of the same name
// replaces r's.
func (r *Registry) With(more ...Role) *Registry {
	out := &Registry{}
	for _, role := range r.roles {
		if !slices.ContainsFunc(more, func(m Role) bool { return m.Name == role.Name }) {
			out.roles = append(out.roles, role)
		}
	}
	out.roles = append(out.roles, more...)
	slices.SortFunc(out.roles, func(a, b Role) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// All returns every role, sorted by name.
func (r *Registry) All() []Role { return slices.Clone(r.roles) }

// Lookup finds a role by name.
func (r *Registry) Lookup(name string) (Role, bool) {
	for _, role := range r.roles {
		if role.Name == name {
			return role, true
		}
	}
	return Role{}, false
}

// Names returns the names of all roles.
func (r *Registry) Names() []string {
	var ns []string
	for _, role := range r.roles {
		ns = append(ns, role.Name)
	}
	return ns
}
