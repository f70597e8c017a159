package check

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/check/isolate"
	"github.com/socklab/socklab/host/check/report"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/plugins/sdk"
)

// The test binary is its own builtin plugin: run with this variable set, it
// serves the reference roles, so these tests run scenarios (under -race)
// with real plugin processes and no socklab binary.
const beThePlugin = "CHECK_TEST_BE_THE_PLUGIN"

// Run with one of these set, the test binary is the child check of one
// scenario (RunOne), or the probe of what isolation works.
const (
	beTheChild = "CHECK_TEST_BE_THE_CHILD"
	beTheProbe = "CHECK_TEST_BE_THE_PROBE"
)

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(beThePlugin) != "":
		sdk.Serve(labs.Builtin().Plugins())
		return
	case os.Getenv(beTheProbe) != "":
		if err := isolate.LoopbackUp(); err != nil {
			os.Exit(1)
		}
		return
	case os.Getenv(beTheChild) != "":
		exe, _ := os.Executable()
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		env := Env{Builtin: []string{"/usr/bin/env", beThePlugin + "=1", exe}, Builder: &launch.Builder{Dir: os.TempDir()}, Log: zerolog.Nop()}
		if err := RunOne(ctx, os.Stdin, os.Stdout, env); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// gradeIsolated grades subs as `socklab check` does: each scenario in a
// child (this test binary) in a network namespace of its own. Without
// namespaces (not root, no user namespaces) the test skips: plain
// programs would share the host's ports with every other test.
func gradeIsolated(t *testing.T, s *suite.Suite, jobs int, subs ...submission.Submission) *report.Report {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	iso, err := isolate.ChooseIsolation("/usr/bin/env", []string{beTheProbe + "=1", exe})
	if iso == isolate.None {
		t.Skipf("no network namespace can be made here: %v", err)
	}
	return Grade(context.Background(), Options{Suite: s, Submissions: subs, Jobs: jobs, Timeout: s.Timeout(), Isolation: iso,
		OneCommand: []string{"/usr/bin/env", beTheChild + "=1", exe}, Builder: &launch.Builder{Dir: t.TempDir()}})
}

// testEnv runs the reference roles from the test binary.
func testEnv(t *testing.T) Env {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Env{
		Builtin: []string{"/usr/bin/env", beThePlugin + "=1", exe},
		Builder: &launch.Builder{Dir: t.TempDir()},
		Log:     zerolog.Nop(),
		TempDir: t.TempDir(),
	}
}

func builtin(t *testing.T, role string) *suite.Suite {
	t.Helper()
	s, diags := suite.Builtin(Graders(), role)
	if diags.HasErrors() {
		t.Fatalf("built-in suite %s: %s", role, diags.Error())
	}
	return s
}

// describe puts a scenario's outcome in a line for test failures.
func describe(sr *report.ScenarioResult) string {
	var b strings.Builder
	b.WriteString(sr.Name + ": " + map[bool]string{true: "pass", false: "FAIL"}[sr.Passed])
	if sr.Error != "" {
		b.WriteString(" error: " + sr.Error)
	}
	for _, c := range sr.Checks {
		for _, e := range c.Evidence {
			b.WriteString("\n    " + c.Name + ": " + e)
		}
	}
	return b.String()
}

func TestBuiltinSuitesLoad(t *testing.T) {
	for _, role := range Graders().Names() {
		s := builtin(t, role)
		if s.Role.Name != role || len(s.Scenarios) == 0 || s.MaxPoints() == 0 || s.Timeout() == 0 {
			t.Errorf("%s: role %s, %d scenarios, %v points, timeout %v", role, s.Role.Name, len(s.Scenarios), s.MaxPoints(), s.Timeout())
		}
	}
}

// TestReferencesPassEverySuite runs the reference implementation of each
// role through the role's built-in suite: every scenario must pass with
// full points.
func TestReferencesPassEverySuite(t *testing.T) {
	env := testEnv(t)
	var mu sync.Mutex
	for _, role := range Graders().Names() {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			s := builtin(t, role)
			for _, sc := range s.Scenarios {
				sr := RunScenario(context.Background(), sc, submission.Submission{Name: "reference", Spec: lab.PluginSpec{From: lab.Builtin}}, env)
				mu.Lock()
				t.Logf("%s %.1fs", sc.Name, sr.ElapsedSeconds)
				mu.Unlock()
				if !sr.Passed || sr.Points != sr.MaxPoints {
					t.Errorf("%s", describe(sr))
				}
			}
		})
	}
}
