// Package judgetest makes up the runs the lab packages' check tests judge:
// the events a scenario's run would have produced, written out, so that
// each check's verdict and words are tested without processes or clocks.
package judgetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/plain"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/proto/roles"
)

// Fake is a made-up run of a one-scenario suite of a grader's role.
type Fake struct {
	t *testing.T
	g judge.Grader
	// O is what the checks judge; a test adds events with Link, Event and
	// Printed, or sets its Files and Probes.
	O  *judge.Observed
	t0 time.Time
}

// New loads a one-scenario suite of g's role whose lab is body, with the
// component under test a plain program or a plugin, as the grader would
// (a plain client sends to its role's sheet address).
func New(t *testing.T, g judge.Grader, body string, plainProgram bool) *Fake {
	t.Helper()
	src := fmt.Sprintf("suite {\n  role = %q\n}\nscenario \"s\" {\n  check %q {}\n%s\n}\n", g.Role.Name, g.CheckNames()[0], body)
	// The role with its hooks (its plain program's reader), and its peers.
	gs := labs.Builtin().Graders()
	if full, ok := gs.Lookup(g.Role.Name); ok {
		g.Role = full.Role
	}
	s, diags := suite.Parse("fake.hcl", []byte(src), gs.With(g))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dir := t.TempDir()
	l, diags := s.Scenarios[0].Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	under, err := suite.UnderTest(l, s.Role)
	if err != nil {
		t.Fatal(err)
	}
	under.Plugin = lab.PluginSpec{From: lab.Builtin}
	if plainProgram {
		under.Plugin = lab.PluginSpec{From: lab.Plain, Command: []string{"/bin/true"}}
		if s.Role.Side == roles.Client {
			under.Plugin.Expects = s.Role.Plain.Address
		}
	}
	o := &judge.Observed{Lab: l, Under: under, Plain: plainProgram, Files: s.Files, Dir: dir, Result: &run.Result{}}
	return &Fake{t: t, g: g, O: o, t0: time.Unix(1764147583, 0)}
}

// At is ms milliseconds into the run.
func (f *Fake) At(ms int) time.Time { return f.t0.Add(time.Duration(ms) * time.Millisecond) }

func (f *Fake) component(name string) *lab.Component {
	f.t.Helper()
	for _, c := range f.O.Lab.Components {
		if c.Name == name {
			return c
		}
	}
	f.t.Fatalf("no component %s", name)
	return nil
}

// Link records a datagram on component c's link at ms; seqs count per
// direction.
func (f *Fake) Link(c string, d link.Direction, ms int, fate link.Fate, payload string) {
	f.t.Helper()
	comp := f.component(c)
	n := 0
	for _, ev := range f.O.Events {
		if ev.Component == comp && ev.Link != nil && ev.Link.Dir == d {
			n++
		}
	}
	ev := &link.Event{Time: f.At(ms), Dir: d, Seq: uint64(n), Size: len(payload), Fate: fate, Payload: []byte(payload)}
	f.O.Events = append(f.O.Events, run.Event{Component: comp, Source: run.FromLink, Time: ev.Time, Kind: "link", Link: ev})
}

// Event records a role event of component c at ms.
func (f *Fake) Event(c string, ms int, ev proto.Message) {
	f.t.Helper()
	comp := f.component(c)
	kind, body, _ := roles.Unpack(ev)
	f.O.Events = append(f.O.Events, run.Event{Component: comp, Time: f.At(ms), Kind: kind, Body: body, Raw: ev})
}

// Printed feeds lines that the plain program under test printed at ms
// through host/plain's reader of its role, as a run does, and records the
// events it makes.
func (f *Fake) Printed(ms int, lines ...string) {
	f.t.Helper()
	p, err := plain.New(f.O.Under.Role, f.O.Under.Config, nil, "127.0.0.1:12000")
	if err != nil {
		f.t.Fatal(err)
	}
	for _, l := range lines {
		for _, ev := range p.Line(l, f.At(ms)) {
			f.Event(f.O.Under.Name, ms, ev)
		}
	}
	for _, ev := range append(p.EndRun(f.At(ms), nil), p.Finish(f.At(ms))...) {
		f.Event(f.O.Under.Name, ms, ev)
	}
}

// Judge runs the grader's check name with params and returns its
// evidence, or its error as a line starting "ERROR ".
func (f *Fake) Judge(name string, params map[string]string) []string {
	f.t.Helper()
	c := f.g.Check(name)
	if c == nil {
		f.t.Fatalf("no check %s", name)
	}
	set := map[string]cty.Value{}
	for k, v := range params {
		set[k] = cty.StringVal(v)
	}
	ev, err := c.Judge(f.O, judge.NewParams(c, set))
	if err != nil {
		return []string{"ERROR " + err.Error()}
	}
	return ev
}

// Want checks evidence: none when wants is empty, else each want in a line.
func Want(t *testing.T, check string, got []string, wants ...string) {
	t.Helper()
	if len(wants) == 0 {
		if len(got) > 0 {
			t.Errorf("%s: want a pass, got:\n  %s", check, strings.Join(got, "\n  "))
		}
		return
	}
	all := strings.Join(got, "\n")
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("%s: evidence lacks %q:\n  %s", check, w, strings.Join(got, "\n  "))
		}
	}
}
