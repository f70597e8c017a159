package labs

import (
	"reflect"
	"slices"
	"testing"

	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
)

// TestBuiltinIsComplete: each of the sheet's roles is registered once,
// with every part the host takes from its value: its facts, its wording,
// its reference implementation, its checks and its built-in suite; and
// those with a plain program the sheet prints from have a reader.
func TestBuiltinIsComplete(t *testing.T) {
	reg := Builtin()
	if got, want := reg.Names(), roles.Sheet().Names(); !slices.Equal(got, want) {
		t.Fatalf("Builtin has %v, the sheet %v", got, want)
	}
	for _, r := range reg.All() {
		t.Run(r.Name, func(t *testing.T) {
			if r.Describe == nil {
				t.Error("no Describe")
			}
			if r.Reference == nil {
				t.Error("no reference implementation")
			}
			if r.Grader == nil {
				t.Fatal("no grader")
			}
			g := r.Grader()
			if len(g.Checks) == 0 || len(g.Suite) == 0 {
				t.Errorf("%d checks, %d bytes of built-in suite", len(g.Checks), len(g.Suite))
			}
			for _, c := range g.Checks {
				if c.Role != r.Name {
					t.Errorf("check %s is registered for %q", c.Name, c.Role)
				}
			}
			if r.Verdict.Idle == nil {
				t.Error("no Verdict.Idle: a Summary saying it did nothing would pass")
			}
		})
	}
	for _, name := range []string{roles.PingClient().Name, roles.HeartbeatServer().Name, roles.WebClient().Name} {
		if r, _ := reg.Lookup(name); r.Plain.Reader == nil {
			t.Errorf("%s: the sheet's program prints what it saw, but no reader reads it", name)
		}
	}
	// The roles whose page has a figure of its own: ping's RTT chart,
	// the heartbeat timelines, the web waterfall.
	figs := reg.Figures()
	for _, name := range []string{roles.PingClient().Name, roles.HeartbeatServer().Name, roles.WebClient().Name} {
		if figs[name] == nil {
			t.Errorf("%s: no Figure, so its page lacks its figure", name)
		}
	}
	if len(figs) != 3 {
		t.Errorf("%d roles with a Figure, want 3", len(figs))
	}
	g, _ := reg.Graders().Lookup(roles.PingClient().Name)
	if g.Role.Plain.Reader == nil || g.Role.Describe == nil {
		t.Error("a grader's role lacks the hooks of its labs.Role")
	}
}

// TestPluginsServeEveryReference: the builtin plugin's Plugins has each
// role's reference implementation, registered by its own value.
func TestPluginsServeEveryReference(t *testing.T) {
	p := Builtin().Plugins()
	v := reflect.ValueOf(p)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Name == "Roles" {
			continue
		}
		if v.Field(i).IsNil() {
			t.Errorf("sdk.Plugins.%s is not set", f.Name)
		}
	}
	if len(p.Roles) != 0 {
		t.Errorf("%d untyped roles among the sheet's", len(p.Roles))
	}
	var only sdk.Plugins
	PingServer().Reference(&only)
	if only.PingServer == nil || only.PingClient != nil {
		t.Error("a role's Reference sets another's")
	}
}

// TestWithReplaces: a role of the same name replaces the builtin one.
func TestWithReplaces(t *testing.T) {
	r := PingServer()
	r.Describe = nil
	reg := Builtin().With(r)
	if got, _ := reg.Lookup(r.Name); got.Describe != nil || len(reg.All()) != len(Builtin().All()) {
		t.Errorf("With kept the builtin %s, or added a second", r.Name)
	}
}
