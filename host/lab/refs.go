package lab

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/proto/roles"
)

// resolveReferences finds, for each component, the components its settings
// refer to (`ping_server.reference.address`), and reports references to
// components that do not exist.
func (l *Lab) resolveReferences() hcl.Diagnostics {
	var diags hcl.Diagnostics
	byName := map[string][]*Component{}
	for _, c := range l.Components {
		byName[c.Name] = append(byName[c.Name], c)
	}
	for _, c := range l.Components {
		for _, a := range sortedAttrs(c.attrs) {
			for _, t := range a.Expr.Variables() {
				target, d := l.referenced(t, byName)
				diags = append(diags, d...)
				switch {
				case target == c:
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Self-reference",
						Detail: fmt.Sprintf("%s cannot use its own settings.", c), Subject: t.SourceRange().Ptr()})
				case target != nil:
					c.deps = append(c.deps, target)
					if d := wrongPeer(c, a, target, t); d != nil {
						diags = append(diags, d)
					}
				}
			}
		}
	}
	return diags
}

// wrongPeer reports a client whose server address refers to a server of
// another role: a ping client cannot ping a web server.
func wrongPeer(c *Component, a *hcl.Attribute, target *Component, t hcl.Traversal) *hcl.Diagnostic {
	if c.Role.Side != roles.Client || a.Name != c.Role.AddressField || target.Role.Side != roles.Server {
		return nil
	}
	want := c.Role.Peer()
	if target.Role.Name == want {
		return nil
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to a server of another role",
		Detail: fmt.Sprintf("%s of %s is the address of a %s, but %s is a %s, which does not speak its protocol.",
			a.Name, c, want, target, target.Role.Name),
		Subject: t.SourceRange().Ptr()}
}

// referenced returns the component a traversal names, nil if it names
// something else (var, local) or nothing valid. byName indexes the
// components by name.
func (l *Lab) referenced(t hcl.Traversal, byName map[string][]*Component) (*Component, hcl.Diagnostics) {
	role, ok := l.roles.Lookup(t.RootName())
	if !ok {
		return nil, nil
	}
	var step hcl.TraverseAttr
	if len(t) >= 2 {
		step, ok = t[1].(hcl.TraverseAttr)
	}
	if len(t) < 2 || !ok {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Incomplete component reference",
			Detail:  fmt.Sprintf("Refer to one component and one of its settings, like %s.NAME.address.", role.Name),
			Subject: t.SourceRange().Ptr()}}
	}
	name := step.Name
	var sameName *Component
	for _, c := range byName[name] {
		if c.Role.Name == role.Name {
			return c, nil
		}
		sameName = c
	}
	// Not found: the slow path, once per mistake.
	var known []string
	for _, c := range l.Components {
		if c.Role.Name == role.Name {
			known = append(known, c.Name)
		}
	}
	detail := fmt.Sprintf("There is no %s block named %q in this lab.", role.Name, name)
	switch {
	case sameName != nil:
		detail += fmt.Sprintf(" Did you mean %s?", sameName)
	case len(known) > 10:
		detail += fmt.Sprintf(" The %s blocks include: %s, and %d more.", role.Name, strings.Join(known[:10], ", "), len(known)-10)
	case len(known) > 0:
		detail += fmt.Sprintf(" The %s blocks are: %s.", role.Name, strings.Join(known, ", "))
	}
	return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Reference to undeclared component",
		Detail: detail, Subject: t.SourceRange().Ptr()}}
}

// sortByDependency orders l.Components so that each comes right after the
// ones it refers to, in file order otherwise; a cycle is an error.
func (l *Lab) sortByDependency() hcl.Diagnostics {
	const (
		visiting = 1
		placed   = 2
	)
	state := map[*Component]int{}
	var sorted []*Component
	var cycle []*Component
	var visit func(c *Component) bool
	visit = func(c *Component) bool {
		switch state[c] {
		case placed:
			return true
		case visiting:
			cycle = append(cycle, c)
			return false
		}
		state[c] = visiting
		for _, d := range c.deps {
			if !visit(d) {
				cycle = append(cycle, c)
				return false
			}
		}
		state[c] = placed
		sorted = append(sorted, c)
		return true
	}
	for _, c := range l.Components {
		if !visit(c) {
			var names []string
			for i := len(cycle) - 1; i >= 0; i-- {
				names = append(names, cycle[i].String())
			}
			return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Components refer to each other in a cycle",
				Detail:  "Each needs another's settings first: " + strings.Join(names, " -> ") + ".",
				Subject: cycle[0].DeclRange.Ptr()}}
		}
	}
	l.Components = sorted
	return nil
}
