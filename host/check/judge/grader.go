package judge

import (
	"io/fs"
	"slices"
	"sort"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/internal/named"
	"github.com/socklab/socklab/proto/roles"
)

// Grader is what grading knows of one role, registered beside its checks:
// the grader reads it and switches on no role.
type Grader struct {
	Role   roles.Role
	Checks []*Check
	// Suite is the text of the role's built-in suite.
	Suite []byte
	// Enough, if set, tells when a plain client under test, which cannot
	// be told the scenario's count and may be written to run for ever,
	// has done enough, from its decoded config. Nil: it runs until it
	// ends by itself or the lab's limit.
	Enough func(config proto.Message) Enough
}

// BuiltinSuite reads a role's built-in suite, suites/ROLE.hcl, from the
// files its lab's package embeds; nil if there is none.
func BuiltinSuite(fsys fs.FS, r roles.Role) []byte {
	src, _ := fs.ReadFile(fsys, "suites/"+r.Name+".hcl")
	return src
}

// Enough is when a plain client has done enough: Grace after it sent
// its Count-th datagram to its server, or Idle after any (0: never).
type Enough struct {
	Count       int
	Grace, Idle time.Duration
}

// Check returns g's check called name, or nil.
func (g Grader) Check(name string) *Check {
	for _, c := range g.Checks {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Sorted returns g's checks sorted by name.
func (g Grader) Sorted() []*Check {
	cs := slices.Clone(g.Checks)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// CheckNames lists the names of g's checks, sorted.
func (g Grader) CheckNames() []string {
	var names []string
	for _, c := range g.Sorted() {
		names = append(names, c.Name)
	}
	return names
}

// Graders is a registry of graders, one per role.
type Graders []Grader

// Lookup returns the grader of role.
func (gs Graders) Lookup(role string) (Grader, bool) { return named.Lookup(gs, roleOf, role) }

// With returns gs and more, sorted by role: a program grading roles it
// brings adds their graders to the built-in ones; a grader of the same
// role replaces gs's.
func (gs Graders) With(more ...Grader) Graders { return named.With(gs, roleOf, more...) }

func roleOf(g Grader) string { return g.Role.Name }

// Roles is the role registry a suite's labs are read with: the roles gs
// grades (a role a suite's labs use is in the registry with no checks
// when it is graded by nothing).
func (gs Graders) Roles() *roles.Registry {
	rs := make([]roles.Role, len(gs))
	for i, g := range gs {
		rs[i] = g.Role
	}
	return roles.NewRegistry(rs...)
}

// Names lists the roles graded, in the registry's order.
func (gs Graders) Names() []string { return named.Names(gs, roleOf) }
