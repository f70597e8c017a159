package labs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/check"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/labs/testdata/daytime/daytimelab"
	"github.com/socklab/socklab/host/labs/testdata/daytime/daytimepb"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/output"
	"github.com/socklab/socklab/host/page"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/internal/goplugin"
	"github.com/socklab/socklab/plugins/sdk"
)

// withDaytime is the host's registry with the toy Daytime lab's roles
// added from test data, as a program that brings a lab registers them.
func withDaytime() *labs.Registry {
	return labs.Builtin().With(daytimelab.Server(), daytimelab.Client())
}

// TestMain: started by a host as its builtin plugin, this test binary
// serves the reference implementations its registry holds, the Daytime
// lab's included, as the socklab binary serves the sheet's.
func TestMain(m *testing.M) {
	if os.Getenv(goplugin.MagicCookieKey) == goplugin.MagicCookieValue {
		sdk.Serve(withDaytime().Plugins())
		return
	}
	os.Exit(m.Run())
}

// lockedBuilder is a strings.Builder the run's goroutines may write to.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAddARoleFromTestdata follows docs/ADDING-A-ROLE.md: the toy Daytime
// lab's roles, each one labs.Role value registered from test data, are
// read in a lab file, run by real plugin processes over a link (the
// server from the builtin plugin, which serves the registry's reference
// implementations; the client from the lab's own Go plugin), told in
// their own words, drawn on the run's page (the client's round trip by
// its own Figure, the server with the lanes and packets every role gets),
// and graded by their own check and built-in suite, with no change to the
// host.
func TestAddARoleFromTestdata(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	plugin, err := filepath.Abs("testdata/daytime/plugin")
	if err != nil {
		t.Fatal(err)
	}
	reg := withDaytime()
	path := filepath.Join(t.TempDir(), "daytime.hcl")
	src := strings.ReplaceAll(`
daytime_server "server" {
  listen = "127.0.0.1:0"
}
daytime_client "client" {
  server = daytime_server.server.address
  plugin {
    go = "PLUGIN"
  }
}
`, "PLUGIN", plugin)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, diags := lab.Load(path, lab.Options{Roles: labs.Builtin().Roles()}); !diags.HasErrors() {
		t.Fatal("the builtin registry knows no daytime role, yet the lab loaded")
	}
	l, diags := lab.Load(path, lab.Options{Roles: reg.Roles()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	console := &lockedBuilder{}
	show := output.Observer(output.NewLogger(console, output.Console, false, zerolog.InfoLevel), output.Console)
	rec := page.NewRecorder(l, reg.Figures())
	res := run.Run(context.Background(), l, run.Options{
		Builtin: []string{self},
		Builder: &launch.Builder{Dir: t.TempDir()},
		Log:     zerolog.Nop(),
		Observe: func(ev run.Event) { show(ev); rec.Observe(ev) },
	})
	if !res.OK() {
		for _, c := range res.Components {
			t.Errorf("%s: %v", c.Component.Name, c.Failure())
		}
		t.Fatalf("run: %v", res.Err)
	}
	server, client := res.Components[0], res.Components[1]
	if sum, ok := client.Summary.(*daytimepb.DaytimeClientSummary); !ok || !sum.Answered {
		t.Errorf("client summary %v", client.Summary)
	}
	if sum, ok := server.Summary.(*daytimepb.DaytimeServerSummary); !ok || sum.Answered != 1 {
		t.Errorf("server summary %v", server.Summary)
	}
	// The client went through its link: both datagrams are the link's.
	if client.Link == nil || client.Link.ToServer.Packets != 1 || client.Link.ToClient.Packets != 1 {
		t.Errorf("link %+v", client.Link)
	}
	// Its events are told in the words its role's Describe gives.
	for _, want := range []string{"told 127.0.0.1:", "the time is ", "answered 1"} {
		if !strings.Contains(console.String(), want) {
			t.Errorf("the console shows no %q:\n%s", want, console.String())
		}
	}

	// On its page, the client's Figure put its reply's round trip on the
	// RTT chart; the server, which has none, has its lane and packets.
	tr := rec.Trace(res)
	if len(tr.Pings) != 1 || tr.Pings[0].Client != "client" || len(tr.Pings[0].Points) != 1 {
		t.Fatalf("the page's RTT series: %+v", tr.Pings)
	}
	if p := tr.Pings[0].Points[0]; p.Status != page.Replied || p.RTT <= 0 {
		t.Errorf("the client's round trip on its page: %+v", p)
	}
	lanes := map[string]bool{}
	for _, ln := range tr.Lanes {
		lanes[ln.Kind+" "+ln.Component] = true
	}
	if !lanes[page.ServerLane+" server"] || !lanes[page.ClientLane+" client"] || len(tr.Packets) != 2 {
		t.Errorf("lanes %v, %d packets", lanes, len(tr.Packets))
	}
	var html strings.Builder
	if err := page.Write(&html, tr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "RTT of every ping as a table") {
		t.Error("the page draws no RTT chart of the client")
	}

	// Graded by its built-in suite, whose reference server is the builtin
	// plugin's, and its check.
	s, diags := suite.Builtin(reg.Graders(), daytimelab.Client().Name)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	env := check.Env{Builtin: []string{self}, Builder: &launch.Builder{Dir: t.TempDir()}, Log: zerolog.Nop(), TempDir: t.TempDir()}
	sub := submission.Submission{Name: "reference", Dir: plugin, Spec: lab.PluginSpec{From: lab.GoSource, Dir: plugin}}
	sr := check.RunScenario(context.Background(), s.Scenarios[0], sub, env)
	if !sr.Passed || sr.Points != 2 {
		t.Fatalf("the reference daytime client: passed %v, %v points, error %q, checks %+v", sr.Passed, sr.Points, sr.Error, sr.Checks)
	}
}
