package check

import (
	"os"
	"strings"
	"testing"

	"github.com/socklab/socklab/host/check/suite"
)

// TestBuiltinSourceIsTheSuite: the text an instructor copies is a suite
// that reads as the built-in one does.
func TestBuiltinSourceIsTheSuite(t *testing.T) {
	src, err := BuiltinSource("web_server")
	if err != nil {
		t.Fatal(err)
	}
	s, diags := suite.Parse("copy.hcl", src, Graders())
	if diags.HasErrors() || s.Role.Name != "web_server" || s.Files["secret.txt"] == nil {
		t.Fatalf("a copy of the built-in suite: %v %v", diags, s)
	}
}

// TestChecksAreDocumented keeps docs/grading.md true: it describes every
// check of every grader in the registry, each role in a section of its own.
func TestChecksAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/grading.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := strings.Split(string(doc), "\n`")
	for _, g := range Graders() {
		role := g.Role.Name
		var section string
		for _, s := range sections {
			if strings.HasPrefix(s, role+"`, judged by") {
				section = s
			}
		}
		if section == "" {
			t.Errorf("docs/grading.md has no section on the %s checks", role)
			continue
		}
		for _, name := range g.CheckNames() {
			if !strings.Contains(section, "- `"+name+"`:") {
				t.Errorf("docs/grading.md does not describe the %s check %s", role, name)
			}
		}
	}
}
