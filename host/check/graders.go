package check

import (
	"embed"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/proto/roles"
)

//go:embed suites/*.hcl
var builtinSuites embed.FS

func builtinSuite(r roles.Role) []byte {
	src, _ := builtinSuites.ReadFile("suites/" + r.Name + ".hcl")
	return src
}

// Graders is the registry of the roles socklab grades: each role's
// checks, built-in suite and the rest of what grading knows of it.
func Graders() judge.Graders {
	var gs judge.Graders
	for _, g := range []judge.Grader{
		{Role: roles.PingClient(), Checks: pingClientChecks()},
		{Role: roles.PingServer(), Checks: pingServerChecks()},
		{Role: roles.HeartbeatClient(), Checks: heartbeatClientChecks()},
		{Role: roles.HeartbeatServer(), Checks: heartbeatServerChecks()},
		{Role: roles.WebServer(), Checks: webServerChecks()},
		{Role: roles.WebClient(), Checks: webClientChecks()},
	} {
		g.Suite = builtinSuite(g.Role)
		gs = append(gs, g)
	}
	return gs
}

// LoadSuite reads a suite: a file, or "builtin:ROLE".
func LoadSuite(path string) (*suite.Suite, hcl.Diagnostics) {
	if role, ok := strings.CutPrefix(path, "builtin:"); ok {
		return suite.Builtin(Graders(), role)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read suite", Detail: err.Error()}}
	}
	return suite.Parse(path, src, Graders())
}

// BuiltinSource is the text of the built-in suite of role, for an
// instructor to copy and change.
func BuiltinSource(role string) ([]byte, error) {
	if g, ok := Graders().Lookup(role); ok && len(g.Suite) > 0 {
		return g.Suite, nil
	}
	return nil, fmt.Errorf("no built-in suite for %q; the roles are %s", role, strings.Join(Graders().Names(), ", "))
}
