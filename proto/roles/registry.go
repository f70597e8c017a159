package roles

import (
	"slices"
	"strings"
)

// Registry is a set of roles by name: Builtin's, plus any a program adds
// with With (a lab written after this host, its role defined beside its
// implementation). The host's lab reader, runner and display look roles up
// here; nothing else spells a role's name.
type Registry struct {
	roles []Role
}

// Builtin returns the roles of the lab sheet: ping, heartbeat and web,
// server and client each.
func Builtin() *Registry {
	return (&Registry{}).With(
		PingServer(), PingClient(),
		HeartbeatServer(), HeartbeatClient(),
		WebServer(), WebClient(),
	)
}

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

// All returns every builtin role, sorted by name.
func All() []Role { return Builtin().All() }

// Lookup finds a builtin role by name.
func Lookup(name string) (Role, bool) { return Builtin().Lookup(name) }

// Names returns the names of the builtin roles.
func Names() []string { return Builtin().Names() }
