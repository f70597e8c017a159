package check

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/plugins/reference"
	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
)

// The test binary is its own builtin plugin: run with this variable set, it
// serves the reference roles, so these tests run scenarios (under -race)
// with real plugin processes and no socklab binary.
const beThePlugin = "CHECK_TEST_BE_THE_PLUGIN"

func TestMain(m *testing.M) {
	if os.Getenv(beThePlugin) != "" {
		sdk.Serve(reference.Plugins())
		return
	}
	os.Exit(m.Run())
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

func builtin(t *testing.T, role string) *Suite {
	t.Helper()
	s, diags := BuiltinSuite(role)
	if diags.HasErrors() {
		t.Fatalf("built-in suite %s: %s", role, diags.Error())
	}
	return s
}

// describe puts a scenario's outcome in a line for test failures.
func describe(sr *ScenarioResult) string {
	var b strings.Builder
	b.WriteString(sr.Name + ": " + passFail(sr.Passed))
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
	for _, role := range roles.Names() {
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
	for _, role := range roles.Names() {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			s := builtin(t, role)
			for _, sc := range s.Scenarios {
				sr := RunScenario(context.Background(), sc, Submission{Name: "reference", Spec: lab.PluginSpec{Kind: lab.Builtin}}, env)
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
