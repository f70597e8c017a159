package check

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/report"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/run"
)

// The runner's bound on what a scenario keeps of a flooding component.
// Each lab's checks are tested in its package under host/check/judge.

// TestFloodIsNotJudged checks that a component under test whose events
// passed the bound a scenario keeps scores nothing, and says why.
func TestFloodIsNotJudged(t *testing.T) {
	sc := builtin(t, "ping_client").Scenarios[0]
	for _, dropped := range []int{0, 7} {
		dir := t.TempDir()
		l, under, err := prepare(sc, dir, submission.Submission{Spec: lab.PluginSpec{From: lab.Builtin}})
		if err != nil {
			t.Fatal(err)
		}
		observed := &judge.Observed{Lab: l, Under: under, Files: sc.Suite.Files, Dir: dir, Result: &run.Result{}}
		o := &observation{Observed: observed, sc: sc, dropped: map[*lab.Component]int{under: dropped}}
		sr := &report.ScenarioResult{Name: sc.Name}
		for _, c := range sc.Checks {
			sr.Checks = append(sr.Checks, report.CheckResult{Name: c.Name, MaxPoints: c.Points})
		}
		judgeRun(o, sr)
		flooded := strings.Contains(sr.Error, fmt.Sprintf("made more than %d events", maxObservedEvents)) &&
			strings.Contains(sr.Error, "7 more were not kept")
		if flooded != (dropped > 0) || dropped > 0 && (sr.Passed || sr.Points != 0) {
			t.Errorf("%d dropped: error %q, passed %v, %v points", dropped, sr.Error, sr.Passed, sr.Points)
		}
	}
}

// TestFloodEndsTheRun: a server under test that floods its output and
// never binds (the unfilled skeleton printing "Ready to serve..." in a
// loop) has scored nothing once it passes the bound; its run ends there,
// not at the server's start timeout.
func TestFloodEndsTheRun(t *testing.T) {
	sub := plainStudent(t, "web_server", "zoe", "WebServer.py")
	sub.Spec.StartTimeout = 2 * time.Minute // far past the flood
	sc := builtin(t, "web_server").Scenarios[0]
	env := testEnv(t)
	o, err := observe(t.Context(), sc, t.TempDir(), sub, env)
	if err != nil {
		t.Fatal(err)
	}
	if o.dropped[o.Under] == 0 {
		t.Fatalf("the flood did not pass the bound: %d events kept", o.kept[o.Under])
	}
	for _, c := range o.Result.Components {
		if c.Err != nil && strings.Contains(c.Err.Error(), "start_timeout") {
			t.Errorf("%s: %v; the run should have ended at the flood", c.Component.Name, c.Err)
		}
	}
	if o.Result.Interrupted {
		t.Error("the run's end at the flood counts as an interrupt")
	}
}
