// Package suite reads conformance suites: HCL files of scenarios, each a
// small lab (written like a lab file) with the checks that judge its run
// and the raw probes sent to a server under test. Blocks are decoded with
// gohcl, what remains of a scenario's block being its lab, so that a value
// of the wrong type or an unknown argument is a diagnostic at its
// file:line:col, as in lab files.
package suite

import (
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/internal/gohcl"
	"github.com/socklab/socklab/proto/roles"
)

// Suite is one role's conformance suite.
type Suite struct {
	// Path is the suite file; a built-in suite's is "builtin:ROLE".
	Path string
	Role roles.Role
	// Grader is the role's: its checks.
	Grader      judge.Grader
	Description string
	// Files are written into each scenario's directory before it runs
	// (a web server's document root), by path relative to it.
	Files     map[string][]byte
	Scenarios []*Scenario

	files map[string]*hcl.File
	// roles are the roles its labs may use.
	roles *roles.Registry
}

// Scenario is a small lab plus the checks that judge its run.
type Scenario struct {
	Name, Description string
	Checks            []CheckSpec
	Probes            []Probe
	Range             hcl.Range
	Suite             *Suite
	// Lab is the scenario's lab: what remains of its block once its own
	// parts are read.
	Lab hcl.Body
	// Timeout is the lab's timeout, read when the suite was loaded.
	Timeout time.Duration
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
	Check  *judge.Check
}

// Judge runs the check on what a scenario's run showed.
func (c CheckSpec) Judge(o *judge.Observed) ([]string, error) {
	return c.Check.Judge(o, judge.NewParams(c.Check, c.Params))
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
	// the datagrams in (UDP); 0: the transport's default.
	Wait time.Duration
}

// The blocks of a suite file, as gohcl decodes them.
type (
	fileBlocks struct {
		Suites    []*headerBlock `hcl:"suite,block"`
		Scenarios []*namedBlock  `hcl:"scenario,block"`
	}
	headerBlock struct {
		Role        string            `hcl:"role,optional"`
		RoleRange   hcl.Range         `hcl:"role,attr_value_range"`
		Description string            `hcl:"description,optional"`
		Files       map[string]string `hcl:"files,optional"`
		FilesRange  hcl.Range         `hcl:"files,attr_value_range"`
		DefRange    hcl.Range         `hcl:",def_range"`
	}
	// namedBlock is a scenario before its role is known.
	namedBlock struct {
		Name      string    `hcl:"name,label"`
		NameRange hcl.Range `hcl:"name,label_range"`
		Body      hcl.Body  `hcl:",remain"`
		DefRange  hcl.Range `hcl:",def_range"`
	}
	scenarioBlock struct {
		Description string        `hcl:"description,optional"`
		Checks      []*checkBlock `hcl:"check,block"`
		Probes      []*probeBlock `hcl:"probe,block"`
		Lab         hcl.Body      `hcl:",remain"`
	}
	checkBlock struct {
		Name        string         `hcl:"name,label"`
		NameRange   hcl.Range      `hcl:"name,label_range"`
		Points      *float64       `hcl:"points,optional"`
		PointsRange hcl.Range      `hcl:"points,attr_value_range"`
		Extra       bool           `hcl:"extra,optional"`
		Params      hcl.Attributes `hcl:",remain"`
		DefRange    hcl.Range      `hcl:",def_range"`
	}
	probeBlock struct {
		Name      string    `hcl:"name,label"`
		Send      cty.Value `hcl:"send,optional"`
		SendRange hcl.Range `hcl:"send,attr_value_range"`
		Hold      bool      `hcl:"hold,optional"`
		Wait      *string   `hcl:"wait,optional"`
		WaitRange hcl.Range `hcl:"wait,attr_value_range"`
	}
)

// Builtin returns the built-in suite of role, from its grader.
func Builtin(gs judge.Graders, role string) (*Suite, hcl.Diagnostics) {
	g, ok := gs.Lookup(role)
	if !ok || len(g.Suite) == 0 {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No built-in suite",
			Detail: fmt.Sprintf("There is no built-in suite for %q; the roles are %s.", role, strings.Join(gs.Names(), ", "))}}
	}
	return Parse("builtin:"+role, g.Suite, gs)
}

// Parse reads a suite file's text, within the limits of a lab file; path
// names it in diagnostics, gs are the roles it may grade.
func Parse(path string, src []byte, gs judge.Graders) (*Suite, hcl.Diagnostics) {
	file, diags := lab.ParseHCL(context.Background(), path, src, lab.DefaultLimits())
	s := &Suite{Path: path, files: map[string]*hcl.File{path: file}, roles: gs.Roles()}
	if diags.HasErrors() {
		return s, diags
	}
	var blocks fileBlocks
	ctx := evalContext()
	diags = append(diags, gohcl.DecodeBody(file.Body, ctx, &blocks)...)
	if len(blocks.Suites) != 1 {
		return s, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "One suite block needed",
			Detail:  `A suite file starts with suite { role = "ping_client" }, then its scenario blocks.`,
			Subject: &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos}})
	}
	diags = append(diags, s.readHeader(blocks.Suites[0], gs)...)
	if diags.HasErrors() {
		return s, diags
	}
	names := map[string]hcl.Range{}
	for _, b := range blocks.Scenarios {
		if first, dup := names[b.Name]; dup {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate scenario",
				Detail: fmt.Sprintf("A scenario %q is already defined at %s.", b.Name, first), Subject: b.NameRange.Ptr()})
			continue
		}
		names[b.Name] = b.DefRange
		sc, d := s.readScenario(b)
		diags = append(diags, d...)
		if sc != nil {
			s.Scenarios = append(s.Scenarios, sc)
		}
	}
	if len(s.Scenarios) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No scenarios",
			Detail: "A suite needs at least one scenario block.", Subject: blocks.Suites[0].DefRange.Ptr()})
	}
	return s, diags
}

// SourceFiles returns the parsed source, for printing diagnostics.
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
		total += sc.Timeout + 20*time.Second
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

// Load loads the scenario's lab with dir as its directory.
func (sc *Scenario) Load(dir string) (*lab.Lab, hcl.Diagnostics) {
	return lab.LoadBody(sc.Suite.Path, dir, sc.Lab, sc.Suite.files, lab.Options{Roles: sc.Suite.roles})
}

func evalContext() *hcl.EvalContext { return &hcl.EvalContext{Functions: lab.Functions()} }

func (s *Suite) readHeader(h *headerBlock, gs judge.Graders) hcl.Diagnostics {
	var diags hcl.Diagnostics
	s.Description = h.Description
	if h.Role == "" {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing role",
			Detail: `Say which role the suite grades: role = "ping_client".`, Subject: h.DefRange.Ptr()})
	}
	g, ok := gs.Lookup(h.Role)
	if !ok {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown role",
			Detail: fmt.Sprintf("role is one of %s.", strings.Join(gs.Names(), ", ")), Subject: h.RoleRange.Ptr()})
	}
	s.Role, s.Grader = g.Role, g
	if h.Files != nil {
		s.Files = map[string][]byte{}
	}
	for path, text := range h.Files {
		data, err := decodeBytes(text)
		switch {
		case err != nil:
			diags = append(diags, rangeError(h.FilesRange, "Invalid file content", fmt.Sprintf("%s: %v.", path, err)))
		case filepath.IsAbs(path) || strings.HasPrefix(filepath.Clean(path), ".."):
			diags = append(diags, rangeError(h.FilesRange, "Invalid file path", fmt.Sprintf("%s: paths are relative to the scenario's directory, and stay in it.", path)))
		default:
			s.Files[filepath.Clean(path)] = data
		}
	}
	return diags
}

// readScenario reads a scenario's own parts and checks its lab by loading it.
func (s *Suite) readScenario(b *namedBlock) (*Scenario, hcl.Diagnostics) {
	var body scenarioBlock
	diags := gohcl.DecodeBody(b.Body, evalContext(), &body)
	sc := &Scenario{Name: b.Name, Description: body.Description, Range: b.DefRange, Suite: s, Lab: body.Lab}
	for _, cb := range body.Checks {
		spec, d := s.readCheck(cb)
		diags = append(diags, d...)
		sc.Checks = append(sc.Checks, spec)
	}
	if len(sc.Checks) == 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No checks",
			Detail: fmt.Sprintf("A scenario names the checks that judge it, like check %q { points = 2 }; the %s checks are: %s.",
				firstCheck(s.Grader), s.Role.Name, strings.Join(s.Grader.CheckNames(), ", ")),
			Subject: b.DefRange.Ptr()})
	}
	for _, pb := range body.Probes {
		p, d := readProbe(pb)
		diags = append(diags, d...)
		sc.Probes = append(sc.Probes, p)
	}
	if body.Lab == nil {
		return sc, diags
	}
	// Load the lab once now, so that its mistakes are found before any run.
	l, d := sc.Load(".")
	diags = append(diags, d...)
	if !d.HasErrors() {
		if _, err := UnderTest(l, s.Role); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No component under test",
				Detail: err.Error(), Subject: b.DefRange.Ptr()})
		}
		if len(sc.Probes) > 0 && s.Role.Side != roles.Server {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Probes need a server under test",
				Detail: "A probe sends raw traffic to the server under test; this suite grades a client.", Subject: b.DefRange.Ptr()})
		}
		sc.Timeout = l.Timeout
	}
	return sc, diags
}

func firstCheck(g judge.Grader) string {
	if names := g.CheckNames(); len(names) > 0 {
		return names[0]
	}
	return "name"
}

// UnderTest finds the one component of the suite's role: the one the
// grader supplies.
func UnderTest(l *lab.Lab, role roles.Role) (*lab.Component, error) {
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

func (s *Suite) readCheck(b *checkBlock) (CheckSpec, hcl.Diagnostics) {
	spec := CheckSpec{Name: b.Name, Points: 1, Extra: b.Extra, Params: map[string]cty.Value{}, Range: b.DefRange}
	c := s.Grader.Check(spec.Name)
	if c == nil {
		return spec, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown check",
			Detail:  fmt.Sprintf("The %s checks are: %s.", s.Role.Name, strings.Join(s.Grader.CheckNames(), ", ")),
			Subject: b.NameRange.Ptr()}}
	}
	spec.Check = c
	var diags hcl.Diagnostics
	if b.Points != nil {
		if spec.Points = *b.Points; spec.Points < 0 {
			diags = append(diags, rangeError(b.PointsRange, "Invalid points", "points must not be negative."))
		}
	}
	ctx := evalContext()
	for _, a := range lab.SortedAttrs(b.Params) {
		param, ok := c.Params[a.Name]
		if !ok {
			diags = append(diags, rangeError(a.Expr.Range(), "Unsupported argument", fmt.Sprintf("Check %s takes points, extra%s.", c.Name, paramList(c))))
			continue
		}
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if err := param.Validate(v); err != nil {
			diags = append(diags, rangeError(a.Expr.Range(), "Invalid value for "+a.Name, err.Error()+"."))
			continue
		}
		spec.Params[a.Name] = v
	}
	return spec, diags
}

func paramList(c *judge.Check) string {
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

func readProbe(b *probeBlock) (Probe, hcl.Diagnostics) {
	p := Probe{Name: b.Name, Hold: b.Hold}
	var diags hcl.Diagnostics
	send := b.Send
	if send.Type() == cty.String {
		send = cty.TupleVal([]cty.Value{send})
	}
	if !send.IsNull() {
		list, err := convert.Convert(send, cty.List(cty.String))
		if err != nil || !list.IsWhollyKnown() {
			return p, append(diags, rangeError(b.SendRange, "Invalid send", `send is a list of strings: send = ["GET\r\n\r\n"].`))
		}
		for _, e := range list.AsValueSlice() {
			if e.IsNull() {
				return p, append(diags, rangeError(b.SendRange, "Invalid send", "each element is a string."))
			}
			data, err := decodeBytes(e.AsString())
			if err != nil {
				return p, append(diags, rangeError(b.SendRange, "Invalid send", err.Error()+"."))
			}
			p.Send = append(p.Send, data)
		}
	}
	if b.Wait != nil {
		d, err := time.ParseDuration(*b.Wait)
		if err != nil || d <= 0 {
			return p, append(diags, rangeError(b.WaitRange, "Invalid wait", `wait is a positive duration, like "3s".`))
		}
		p.Wait = d
	}
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

func rangeError(r hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Ptr()}
}
