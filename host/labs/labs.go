// Package labs is the registry of the labs socklab knows: one Role value
// per role, registered once, that gathers everything about it: its facts
// (name, proto messages, side, transport, the sheet's program with its
// address and file names: a roles.Role from proto/roles), how its events
// are told in the lab sheet's words, how a plain program's output becomes
// its events, its reference implementation as the builtin plugin serves
// it, its checks and built-in suite, and what it draws on a run's page.
// The host's lab reader and runner, the builtin plugin, the grader, the
// display, the pages and the Python SDK's generator all iterate a
// Registry; none of them names a role.
//
// A lab of the sheet has a file here (ping.go, heartbeat.go, web.go) with
// its roles' values, and a line in Builtin. A lab brought from outside
// builds its own Role values and adds them with With
// (docs/ADDING-A-ROLE.md).
package labs

import (
	"slices"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/page/figure"
	"github.com/socklab/socklab/internal/named"
	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
)

// Role is everything socklab knows of one role.
type Role struct {
	// Role holds the role's facts and the host's hooks: Describe and
	// Teller (the display), Plain.Reader (a plain program's output),
	// Verdict (the runner's judgement of a component that did nothing).
	roles.Role
	// Reference adds the role's reference implementation to the plugins
	// the builtin plugin serves; nil: the role has none in this binary
	// (a lab brought from outside serves its own).
	Reference func(*sdk.Plugins)
	// Grader makes what grades a component of the role: its checks, its
	// built-in suite, when a plain endless client has done enough. Its
	// Role is this Role's (Registry.Graders sets it). Made on demand, so
	// that a builtin plugin's start does not build every role's checks
	// and suite to serve their references. Nil: the role is not graded.
	Grader func() judge.Grader
	// Figure makes what draws a component of the role on its run's page
	// beyond the lanes, packets and summary every component gets (ping's
	// RTT chart, heartbeat timelines, the web waterfall). Nil: the role
	// has no figure of its own.
	Figure func(c *lab.Component) figure.Figure
}

// Registry is a set of roles by name.
type Registry struct {
	roles []Role
}

// Builtin returns the roles of the lab sheet: the Pinger's, the
// Heartbeat's and the Web Server's, server and client each.
func Builtin() *Registry {
	return New(
		PingServer(), PingClient(),
		HeartbeatServer(), HeartbeatClient(),
		WebServer(), WebClient(),
	)
}

// New returns a registry of the given roles.
func New(rs ...Role) *Registry { return (&Registry{}).With(rs...) }

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

// Roles is the registry a lab file is read with (lab.Options.Roles): each
// role's facts and hooks.
func (r *Registry) Roles() *roles.Registry {
	rs := make([]roles.Role, len(r.roles))
	for i, role := range r.roles {
		rs[i] = role.Role
	}
	return roles.NewRegistry(rs...)
}

// Graders are the graders of every role, each with its role's facts and
// hooks: what `socklab check` reads suites with and grades by.
func (r *Registry) Graders() judge.Graders {
	gs := make(judge.Graders, len(r.roles))
	for i, role := range r.roles {
		if role.Grader != nil {
			gs[i] = role.Grader()
		}
		gs[i].Role = role.Role
	}
	return gs
}

// Figures are the roles' figure makers by name, for host/page: the roles
// without one are left out.
func (r *Registry) Figures() figure.Set {
	s := figure.Set{}
	for _, role := range r.roles {
		if role.Figure != nil {
			s[role.Name] = role.Figure
		}
	}
	return s
}

// Plugins are the reference implementations, as the builtin plugin
// serves them.
func (r *Registry) Plugins() sdk.Plugins {
	var p sdk.Plugins
	for _, role := range r.roles {
		if role.Reference != nil {
			role.Reference(&p)
		}
	}
	return p
}
