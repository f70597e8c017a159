package check

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/judge/heartbeat"
	pinger "github.com/socklab/socklab/host/check/judge/ping"
	"github.com/socklab/socklab/host/check/judge/web"
	"github.com/socklab/socklab/host/check/suite"
)

// Graders is the registry of the roles socklab grades: one value per
// role, from the package of its lab's checks (the Pinger's is judge/ping).
func Graders() judge.Graders {
	return judge.Graders{pinger.Client(), pinger.Server(), heartbeat.Client(), heartbeat.Server(), web.Server(), web.Client()}
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
