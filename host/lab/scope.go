package lab

import (
	"net"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/socklab/socklab/proto/roles"
)

// Scope evaluates component settings in dependency order. A reference to
// a component (`ping_server.reference.address`) sees that component's
// decoded settings; a server's address is its configured one until Bound
// records the address it really bound (port 0 becomes a real port).
type Scope struct {
	lab     *Lab
	exports map[*Component]map[string]cty.Value
	// broken are components whose settings have errors: a reference to
	// them is unknown, so the mistake is reported once, at its place, and
	// not again at every component that refers to it.
	broken map[*Component]bool
}

// NewScope returns an empty scope: decode components in l.Components order.
func (l *Lab) NewScope() *Scope {
	return &Scope{lab: l, exports: map[*Component]map[string]cty.Value{}, broken: map[*Component]bool{}}
}

// Decode evaluates c's settings against the components decoded so far.
func (s *Scope) Decode(c *Component) (proto.Message, hcl.Diagnostics) {
	cfg, diags := s.lab.decodeSettings(c, s.context(c))
	if diags.HasErrors() {
		s.broken[c] = true
		return cfg, diags
	}
	attrs := map[string]cty.Value{"name": cty.StringVal(c.Name)}
	m := cfg.ProtoReflect()
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		attrs[string(fd.Name())] = ctyValue(fd, m.Get(fd))
	}
	if c.Role.Side == roles.Server {
		attrs["address"] = staticAddress(m.Get(fields.ByName(protoreflect.Name(c.Role.AddressField))).String())
	}
	s.exports[c] = attrs
	return cfg, diags
}

// Bound records the address server c really bound.
func (s *Scope) Bound(c *Component, addr string) {
	if attrs, ok := s.exports[c]; ok {
		attrs["address"] = cty.StringVal(Connectable(addr))
	}
}

// context is what c's settings see: var, local, the functions and the
// components c refers to (only those: a lab may have thousands).
func (s *Scope) context(c *Component) *hcl.EvalContext {
	ctx := s.lab.baseContext()
	byRole := map[string]map[string]cty.Value{}
	for _, d := range c.deps {
		v := cty.DynamicVal
		if attrs, ok := s.exports[d]; ok && !s.broken[d] {
			v = cty.ObjectVal(attrs)
		}
		if byRole[d.Role.Name] == nil {
			byRole[d.Role.Name] = map[string]cty.Value{}
		}
		byRole[d.Role.Name][d.Name] = v
	}
	for role, comps := range byRole {
		ctx.Variables[role] = cty.ObjectVal(comps)
	}
	return ctx
}

// staticAddress is a server's address before it runs: unknown when the
// port is 0, since only the running server learns its port.
func staticAddress(listen string) cty.Value {
	if _, port, err := net.SplitHostPort(listen); err == nil && port == "0" {
		return cty.UnknownVal(cty.String)
	}
	return cty.StringVal(Connectable(listen))
}

// Connectable turns a bind address into one a client can reach: a server
// bound to all interfaces is reached on loopback.
func Connectable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
