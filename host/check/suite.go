package check

import (
	"context"
	"embed"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/proto/roles"
)

// Suite is one role's conformance suite.
type Suite struct {
	// Path is the suite file; a built-in suite's is "builtin:ROLE".
	Path        string
	Role        roles.Role
	Description string
	// Files are written into each scenario's directory before it runs
	// (a web server's document root), by path relative to it.
	Files     map[string][]byte
	Scenarios []*Scenario

	src   []byte
	files map[string]*hcl.File
}

// Scenario is a small lab plus the checks that judge its run.
type Scenario struct {
	Name, Description string
	Checks            []CheckSpec
	Probes            []Probe
	Range             hcl.Range

	suite *Suite
	body  hcl.Body // the lab: what remains once the scenario's own parts are read
	// timeout is the lab's timeout, read when the suite was loaded.
	timeout time.Duration
}

// CheckSpec is a check named in a scenario, with its weight.
type CheckSpec struct {
	Name   string
	Points float64
	// Extra marks what goes beyond the lab sheet (Content-Length, 400 for
	// garbage, the optional exercises): reports label its points apart.
	Extra  bool
	Params map[string]cty.Value
	Range  hcl.Range
	check  *Check
}

// Probe is raw traffic sent to the server under test before the clients
// start: each of Send is a datagram (UDP) or, for TCP, all of Send goes
// over one connection. A held TCP probe keeps its connection open and
// silent until the run ends, as a slow client would.
type Probe struct {
	Name string
	Send [][]byte
	Hold bool
	// Wait is how long to read the answer (TCP) or to let the server take
	// the datagrams in (UDP).
	Wait time.Duration
}

// Default probe waits.
const (
	defaultTCPProbeWait = 3 * time.Second
	defaultUDPProbeWait = 200 * time.Millisecond
)

//go:embed suites/*.hcl
var builtinSuites embed.FS

// BuiltinSuite returns the suite socklab ships for role.
func BuiltinSuite(role string) (*Suite, hcl.Diagnostics) {
	src, err := builtinSuites.ReadFile("suites/" + role + ".hcl")
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No built-in suite",
			Detail: fmt.Sprintf("There is no built-in suite for %q; the roles are %s.", role, strings.Join(roles.Names(), ", "))}}
	}
	return ParseSuite("builtin:"+role, src)
}

// BuiltinSource is the text of the built-in suite of role, for an
// instructor to copy and change.
func BuiltinSource(role string) ([]byte, error) {
	return builtinSuites.ReadFile("suites/" + role + ".hcl")
}

// ParseSuite reads a suite file's text, within the limits of a lab file;
// path names it in diagnostics.
func ParseSuite(path string, src []byte) (*Suite, hcl.Diagnostics) {
	file, diags := lab.ParseHCL(context.Background(), path, src, lab.DefaultLimits())
	s := &Suite{Path: path, src: src, files: map[string]*hcl.File{path: file}}
	if diags.HasErrors() {
		return s, diags
	}
	content, d := file.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "suite"}, {Type: "scenario", LabelNames: []string{"name"}},
	}})
	diags = append(diags, d...)
	suites := content.Blocks.OfType("suite")
	if len(suites) != 1 {
		return s, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "One suite block needed",
			Detail:  `A suite file starts with suite { role = "ping_client" }, then its scenario blocks.`,
			Subject: &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos}})
	}
	diags = append(diags, s.readHeader(suites[0])...)
	if diags.HasErrors() {
		return s, diags
	}
	names := map[string]hcl.Range{}
	for _, b := range content.Blocks.OfType("scenario") {
		if first, dup := names[b.Labels[0]]; dup {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate scenario",
				Detail: fmt.Sprintf("A scenario %q is already defined at %s.", b.Labels[0], first), Subject: b.LabelRanges[0].Ptr()})
			continue
		}
		names[b.Labels[0]] = b.DefRange
		sc, d := s.readScenario(b)
		diags = append(diags, d...)
		if sc != nil {
			s.Scenarios = append(s.Scenarios, sc)
		}
	}
	if len(s.Scenarios) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No scenarios",
			Detail: "A suite needs at least one scenario block.", Subject: suites[0].DefRange.Ptr()})
	}
	return s, diags
}

// Files returns the parsed source, for printing diagnostics.
func (s *Suite) SourceFiles() map[string]*hcl.File { return s.files }

// MaxPoints is what a submission passing every scenario scores.
func (s *Suite) MaxPoints() float64 {
	total := 0.0
	for _, sc := range s.Scenarios {
		total += sc.MaxPoints()
	}
	return total
}

// Timeout is the longest a submission's run of the whole suite should
// take: the scenarios' own limits, plus start-up and stop for each.
func (s *Suite) Timeout() time.Duration {
	var total time.Duration
	for _, sc := range s.Scenarios {
		total += sc.timeout + 20*time.Second
	}
	return total
}

// MaxPoints is the scenario's weight: the sum of its checks' points.
func (sc *Scenario) MaxPoints() float64 {
	total := 0.0
	for _, c := range sc.Checks {
		total += c.Points
	}
	return total
}

func evalContext() *hcl.EvalContext { return &hcl.EvalContext{Functions: lab.Functions()} }

// eachAttr evaluates a block's attributes in the order they are written and
// hands each value that evaluates to read.
func eachAttr(body hcl.Body, read func(a *hcl.Attribute, v cty.Value) hcl.Diagnostics) hcl.Diagnostics {
	attrs, diags := body.JustAttributes()
	ctx := evalContext()
	for _, a := range lab.SortedAttrs(attrs) {
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		if !d.HasErrors() {
			diags = append(diags, read(a, v)...)
		}
	}
	return diags
}

func (s *Suite) readHeader(b *hcl.Block) hcl.Diagnostics {
	diags := eachAttr(b.Body, func(a *hcl.Attribute, v cty.Value) hcl.Diagnostics {
		switch a.Name {
		case "role":
			name, ok := stringValue(v)
			role, known := roles.Lookup(name)
			if !ok || !known {
				return hcl.Diagnostics{attrError(a, "Unknown role", fmt.Sprintf("role is one of %s.", strings.Join(roles.Names(), ", ")))}
			}
			s.Role = role
		case "description":
			s.Description, _ = stringValue(v)
		case "files":
			return s.readFiles(a, v)
		default:
			return hcl.Diagnostics{attrError(a, "Unsupported argument", "A suite block has role, description and files.")}
		}
		return nil
	})
	if s.Role.Name == "" && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing role",
			Detail: `Say which role the suite grades: role = "ping_client".`, Subject: b.DefRange.Ptr()})
	}
	return diags
}

func (s *Suite) readFiles(a *hcl.Attribute, v cty.Value) hcl.Diagnostics {
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		return hcl.Diagnostics{attrError(a, "Invalid files", `files is a map of path to content: files = { "www/index.html" = "<html>...</html>" }.`)}
	}
	var diags hcl.Diagnostics
	s.Files = map[string][]byte{}
	for path, content := range v.AsValueMap() {
		text, ok := stringValue(content)
		data, err := decodeBytes(text)
		switch {
		case !ok || err != nil:
			diags = append(diags, attrError(a, "Invalid file content", fmt.Sprintf("%s: %v.", path, errOr(err, "not a string"))))
		case filepath.IsAbs(path) || strings.HasPrefix(filepath.Clean(path), ".."):
			diags = append(diags, attrError(a, "Invalid file path", fmt.Sprintf("%s: paths are relative to the scenario's directory, and stay in it.", path)))
		default:
			s.Files[filepath.Clean(path)] = data
		}
	}
	return diags
}

func scenarioSchema() *hcl.BodySchema {
	return &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "description"}},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "check", LabelNames: []string{"name"}},
			{Type: "probe", LabelNames: []string{"name"}},
		},
	}
}

// readScenario reads a scenario's own parts and checks its lab by loading it.
func (s *Suite) readScenario(b *hcl.Block) (*Scenario, hcl.Diagnostics) {
	content, rest, diags := b.Body.PartialContent(scenarioSchema())
	sc := &Scenario{Name: b.Labels[0], Range: b.DefRange, suite: s, body: rest}
	ctx := evalContext()
	if a, ok := content.Attributes["description"]; ok {
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		sc.Description, _ = stringValue(v)
	}
	for _, cb := range content.Blocks.OfType("check") {
		spec, d := s.readCheck(cb)
		diags = append(diags, d...)
		sc.Checks = append(sc.Checks, spec)
	}
	if len(sc.Checks) == 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No checks",
			Detail: fmt.Sprintf("A scenario names the checks that judge it, like check %q { points = 2 }; the %s checks are: %s.",
				firstCheck(s.Role.Name), s.Role.Name, strings.Join(CheckNames(s.Role.Name), ", ")),
			Subject: b.DefRange.Ptr()})
	}
	for _, pb := range content.Blocks.OfType("probe") {
		p, d := s.readProbe(pb)
		diags = append(diags, d...)
		sc.Probes = append(sc.Probes, p)
	}
	// Load the lab once now, so that its mistakes are found before any run.
	l, d := lab.LoadBody(s.Path, ".", rest, s.files, lab.Options{})
	diags = append(diags, d...)
	if !d.HasErrors() {
		if _, err := underTest(l, s.Role); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No component under test",
				Detail: err.Error(), Subject: b.DefRange.Ptr()})
		}
		if len(sc.Probes) > 0 && s.Role.Side != roles.Server {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Probes need a server under test",
				Detail: "A probe sends raw traffic to the server under test; this suite grades a client.", Subject: b.DefRange.Ptr()})
		}
		sc.timeout = l.Timeout
	}
	return sc, diags
}

// underTest finds the one component of the suite's role: the one the
// grader supplies.
func underTest(l *lab.Lab, role roles.Role) (*lab.Component, error) {
	var found []*lab.Component
	for _, c := range l.Components {
		if c.Role.Name == role.Name {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("a scenario has exactly one %s block, the component under test (the others are its reference peers); this one has %d", role.Name, len(found))
	}
	return found[0], nil
}

func (s *Suite) readCheck(b *hcl.Block) (CheckSpec, hcl.Diagnostics) {
	spec := CheckSpec{Name: b.Labels[0], Points: 1, Params: map[string]cty.Value{}, Range: b.DefRange}
	c := lookupCheck(s.Role.Name, spec.Name)
	if c == nil {
		return spec, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown check",
			Detail:  fmt.Sprintf("The %s checks are: %s.", s.Role.Name, strings.Join(CheckNames(s.Role.Name), ", ")),
			Subject: b.LabelRanges[0].Ptr()}}
	}
	spec.check = c
	diags := eachAttr(b.Body, func(a *hcl.Attribute, v cty.Value) hcl.Diagnostics {
		if a.Name == "points" {
			if v.Type() != cty.Number || v.IsNull() {
				return hcl.Diagnostics{attrError(a, "Invalid points", "points is a number, like 2 or 0.5.")}
			}
			spec.Points, _ = v.AsBigFloat().Float64()
			if spec.Points < 0 {
				return hcl.Diagnostics{attrError(a, "Invalid points", "points must not be negative.")}
			}
			return nil
		}
		if a.Name == "extra" {
			if v.Type() != cty.Bool || v.IsNull() {
				return hcl.Diagnostics{attrError(a, "Invalid extra", "extra is true (the check asks for more than the lab sheet) or false.")}
			}
			spec.Extra = v.True()
			return nil
		}
		param, ok := c.Params[a.Name]
		if !ok {
			return hcl.Diagnostics{attrError(a, "Unsupported argument", fmt.Sprintf("Check %s takes points, extra%s.", c.Name, paramList(c)))}
		}
		if err := param.validate(v); err != nil {
			return hcl.Diagnostics{attrError(a, "Invalid value for "+a.Name, err.Error()+".")}
		}
		spec.Params[a.Name] = v
		return nil
	})
	return spec, diags
}

func paramList(c *Check) string {
	var names []string
	for name := range c.Params {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return " and " + strings.Join(names, ", ")
}

func (s *Suite) readProbe(b *hcl.Block) (Probe, hcl.Diagnostics) {
	p := Probe{Name: b.Labels[0]}
	diags := eachAttr(b.Body, func(a *hcl.Attribute, v cty.Value) hcl.Diagnostics {
		switch a.Name {
		case "send":
			if v.Type() == cty.String {
				v = cty.TupleVal([]cty.Value{v})
			}
			if !v.CanIterateElements() {
				return hcl.Diagnostics{attrError(a, "Invalid send", `send is a list of strings: send = ["GET\r\n\r\n"].`)}
			}
			for _, e := range v.AsValueSlice() {
				text, ok := stringValue(e)
				data, err := decodeBytes(text)
				if !ok || err != nil {
					return hcl.Diagnostics{attrError(a, "Invalid send", errOr(err, "each element is a string").Error()+".")}
				}
				p.Send = append(p.Send, data)
			}
		case "hold":
			if v.Type() != cty.Bool || v.IsNull() {
				return hcl.Diagnostics{attrError(a, "Invalid hold", "hold is true or false.")}
			}
			p.Hold = v.True()
		case "wait":
			text, _ := stringValue(v)
			d, err := time.ParseDuration(text)
			if err != nil || d <= 0 {
				return hcl.Diagnostics{attrError(a, "Invalid wait", `wait is a positive duration, like "3s".`)}
			}
			p.Wait = d
		default:
			return hcl.Diagnostics{attrError(a, "Unsupported argument", "A probe has send, hold and wait.")}
		}
		return nil
	})
	return p, diags
}

// decodeBytes reads a string of a suite: text as it is, or bytes written
// "hex:fffe00".
func decodeBytes(s string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(s, "hex:"); ok {
		b, err := hex.DecodeString(rest)
		if err != nil {
			return nil, fmt.Errorf("%q: after hex: come pairs of hex digits", s)
		}
		return b, nil
	}
	return []byte(s), nil
}

func stringValue(v cty.Value) (string, bool) {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func attrError(a *hcl.Attribute, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: a.Expr.Range().Ptr()}
}

func errOr(err error, msg string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s", msg)
}
