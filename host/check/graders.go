package check

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/page/figure"
)

// Graders are the graders of the roles socklab knows (host/labs), each
// with its role's checks and built-in suite.
func Graders() judge.Graders { return labs.Builtin().Graders() }

// figures draw each role's own figures on a failed scenario's page.
func figures() figure.Set { return labs.Builtin().Figures() }

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
