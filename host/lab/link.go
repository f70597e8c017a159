package lab

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/socklab/socklab/host/impair"
	"github.com/socklab/socklab/proto/roles"
)

// LinkSpec is the network the host puts between a client and its server.
type LinkSpec struct {
	// Direct means no link: the client reaches the server itself, and there
	// is no ground truth or capture of its traffic.
	Direct bool
	// Front is where the link listens for the client; empty means a free
	// loopback port. A plain program with a hard-coded server address gets
	// the link in front of that address.
	Front string
	// ToServer and ToClient impair each direction; zero is a clean link.
	ToServer, ToClient impair.Impairment
	// Range is where the link is set in the lab file.
	Range hcl.Range
}

// impairmentField is one lab-file setting of a link direction.
type impairmentField struct {
	name string
	// only is the transport the setting applies to ("" both).
	only roles.Transport
	set  func(im *impair.Impairment, a *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics
}

func impairmentFields() []impairmentField {
	fraction := func(dst func(*impair.Impairment) *float64) func(*impair.Impairment, *hcl.Attribute, *hcl.EvalContext) hcl.Diagnostics {
		return func(im *impair.Impairment, a *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
			v, ok, diags := eval(a, ctx, cty.Number)
			if !ok {
				return diags
			}
			f, _ := v.AsBigFloat().Float64()
			if f < 0 || f > 1 {
				return append(diags, invalid(a, "A probability is a number from 0 to 1, got %g.", f)...)
			}
			*dst(im) = f
			return diags
		}
	}
	duration := func(dst func(*impair.Impairment) *time.Duration) func(*impair.Impairment, *hcl.Attribute, *hcl.EvalContext) hcl.Diagnostics {
		return func(im *impair.Impairment, a *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
			return decodeDuration(a, ctx, dst(im), false)
		}
	}
	count := func(dst func(*impair.Impairment) *int64) func(*impair.Impairment, *hcl.Attribute, *hcl.EvalContext) hcl.Diagnostics {
		return func(im *impair.Impairment, a *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
			var n int64
			diags := decodeInt(a, ctx, &n)
			if !diags.HasErrors() && n < 0 {
				return append(diags, invalid(a, "Must not be negative.")...)
			}
			*dst(im) = n
			return diags
		}
	}
	intCount := func(dst func(*impair.Impairment) *int) func(*impair.Impairment, *hcl.Attribute, *hcl.EvalContext) hcl.Diagnostics {
		return func(im *impair.Impairment, a *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
			var n int64
			diags := count(func(*impair.Impairment) *int64 { return &n })(im, a, ctx)
			*dst(im) = int(n)
			return diags
		}
	}
	return []impairmentField{
		{"loss", roles.UDP, fraction(func(im *impair.Impairment) *float64 { return &im.Loss })},
		{"duplicate", roles.UDP, fraction(func(im *impair.Impairment) *float64 { return &im.Duplicate })},
		{"reorder", roles.UDP, fraction(func(im *impair.Impairment) *float64 { return &im.Reorder })},
		{"reorder_gap", roles.UDP, intCount(func(im *impair.Impairment) *int { return &im.ReorderGap })},
		{"reorder_wait", roles.UDP, duration(func(im *impair.Impairment) *time.Duration { return &im.ReorderWait })},
		{"delay", "", duration(func(im *impair.Impairment) *time.Duration { return &im.Delay })},
		{"jitter", "", duration(func(im *impair.Impairment) *time.Duration { return &im.Jitter })},
		{"bandwidth", roles.TCP, count(func(im *impair.Impairment) *int64 { return &im.Bandwidth })},
		{"max_segment", roles.TCP, intCount(func(im *impair.Impairment) *int { return &im.MaxSegment })},
		{"stall_after", roles.TCP, count(func(im *impair.Impairment) *int64 { return &im.StallAfter })},
		{"stall_for", roles.TCP, duration(func(im *impair.Impairment) *time.Duration { return &im.StallFor })},
		{"reset_after", roles.TCP, count(func(im *impair.Impairment) *int64 { return &im.ResetAfter })},
	}
}

func impairmentSchema() []hcl.AttributeSchema {
	var attrs []hcl.AttributeSchema
	for _, f := range impairmentFields() {
		attrs = append(attrs, hcl.AttributeSchema{Name: f.name})
	}
	return attrs
}

// decodeLink reads a client's link block:
//
//	link {
//	  loss  = 0.1          # both directions
//	  delay = "20ms"
//	  to_client {          # one direction, over the shared settings
//	    loss = 0.3
//	  }
//	}
//
// or `link { direct = true }` for no link.
func (l *Lab) decodeLink(c *Component, blocks hcl.Blocks) hcl.Diagnostics {
	c.Link = LinkSpec{Direct: l.Direct, Range: c.DeclRange}
	if len(blocks) == 0 {
		return nil
	}
	b := blocks[0]
	if len(blocks) > 1 {
		return hcl.Diagnostics{duplicate("link block", "", blocks[1].DefRange, b.DefRange)}
	}
	c.Link.Range = b.DefRange
	if c.Role.Side != roles.Client {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Link on a server",
			Detail:  "A link sits between a client and its server: give the link block to the client.",
			Subject: b.DefRange.Ptr()}}
	}
	schema := &hcl.BodySchema{
		Attributes: append(impairmentSchema(), hcl.AttributeSchema{Name: "direct"}, hcl.AttributeSchema{Name: "front"}),
		Blocks:     []hcl.BlockHeaderSchema{{Type: "to_server"}, {Type: "to_client"}},
	}
	content, diags := b.Body.Content(schema)
	ctx := l.baseContext()
	if a, ok := content.Attributes["direct"]; ok {
		diags = append(diags, decodeBool(a, ctx, &c.Link.Direct)...)
	}
	if a, ok := content.Attributes["front"]; ok {
		diags = append(diags, decodeString(a, ctx, &c.Link.Front)...)
		if err := checkAddress(c.Link.Front, false); err != nil && !diags.HasErrors() {
			diags = append(diags, invalid(a, "%v.", err)...)
		}
	}
	// The shared settings are read once (a mistake in them is one
	// diagnostic) and apply to both directions.
	diags = append(diags, setImpairment(&c.Link.ToServer, c.Role.Transport, content.Attributes, ctx)...)
	c.Link.ToClient = c.Link.ToServer
	for _, dir := range content.Blocks {
		attrs, d := dir.Body.JustAttributes()
		diags = append(diags, d...)
		im := &c.Link.ToServer
		if dir.Type == "to_client" {
			im = &c.Link.ToClient
		}
		diags = append(diags, unknownImpairments(attrs)...)
		diags = append(diags, setImpairment(im, c.Role.Transport, attrs, ctx)...)
	}
	if c.Link.Direct && (!c.Link.ToServer.IsZero() || !c.Link.ToClient.IsZero() || c.Link.Front != "") {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Direct link with settings",
			Detail: "direct = true means no link, so it cannot impair traffic or listen anywhere.", Subject: b.DefRange.Ptr()})
	}
	return diags
}

// setImpairment applies the impairment attributes among attrs to im.
func setImpairment(im *impair.Impairment, transport roles.Transport, attrs hcl.Attributes, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	fields := map[string]impairmentField{}
	for _, f := range impairmentFields() {
		fields[f.name] = f
	}
	for _, a := range sortedAttrs(attrs) {
		f, ok := fields[a.Name]
		if !ok {
			continue
		}
		if f.only != "" && f.only != transport {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Setting does not apply to this link",
				Detail:  fmt.Sprintf("%s applies to %s links; this client talks %s.", f.name, f.only, transport),
				Subject: a.NameRange.Ptr()})
			continue
		}
		diags = append(diags, f.set(im, a, ctx)...)
	}
	return diags
}

func unknownImpairments(attrs hcl.Attributes) hcl.Diagnostics {
	known := map[string]bool{}
	for _, f := range impairmentFields() {
		known[f.name] = true
	}
	var diags hcl.Diagnostics
	for _, a := range sortedAttrs(attrs) {
		if !known[a.Name] {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported argument",
				Detail: fmt.Sprintf("An argument named %q is not expected in a link direction.", a.Name), Subject: a.NameRange.Ptr()})
		}
	}
	return diags
}
