package suite_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/host/check"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
)

const minimalScenario = `
scenario "one" {
  check "count" {
    points = 2.5
  }
  check "rtt" {
    points = 0
    extra  = true
  }
  ping_server "reference" {
    listen = "127.0.0.1:0"
  }
  ping_client "student" {
    server = ping_server.reference.address
  }
}
`

func TestParseSuite(t *testing.T) {
	s, diags := suite.Parse("s.hcl", []byte(`suite {
  role  = "ping_client"
  files = {
    "www/a.html" = "<p>a</p>"
    "bin"        = "hex:00ff"
  }
}
`+minimalScenario), check.Graders())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if s.Role.Name != "ping_client" || len(s.Scenarios) != 1 || s.MaxPoints() != 2.5 || string(s.Files["bin"]) != "\x00\xff" || string(s.Files["www/a.html"]) != "<p>a</p>" {
		t.Errorf("suite %+v", s)
	}
	if c := s.Scenarios[0].Checks; len(c) != 2 || c[0].Extra || !c[1].Extra {
		t.Errorf("extra not read: %+v", c)
	}
	if s.Timeout() != lab.DefaultTimeout+20e9 {
		t.Errorf("timeout %v", s.Timeout())
	}
}

func TestSuiteMistakes(t *testing.T) {
	tests := []struct {
		name, src, summary string
		line               int
	}{
		{"no suite block", minimalScenario, "One suite block needed", 1},
		{"unknown role", "suite {\n  role = \"pinger\"\n}\n", "Unknown role", 2},
		{"no scenarios", "suite {\n  role = \"ping_client\"\n}\n", "No scenarios", 1},
		{"unknown check", "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  check \"speed\" {}\n}\n", "Unknown check", 5},
		{"no checks", "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  ping_client \"c\" {\n    server = \"127.0.0.1:1\"\n  }\n}\n", "No checks", 4},
		{"a check's unknown setting", "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  check \"rtt\" {\n    slack = \"1s\"\n  }\n}\n", "Unsupported argument", 6},
		{"a bad tolerance", "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  check \"rtt\" {\n    tolerance = \"soon\"\n  }\n}\n", "Invalid value for tolerance", 6},
		{"negative points", "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  check \"rtt\" {\n    points = -1\n  }\n}\n", "Invalid points", 6},
		{"no component under test", "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  check \"rtt\" {}\n  ping_server \"s\" {\n  }\n}\n", "No component under test", 4},
		{"a mistake in the lab", "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  check \"rtt\" {}\n  ping_client \"c\" {\n    server = \"127.0.0.1:1\"\n    count = 0\n  }\n}\n", "Invalid value for count", 8},
		{"probes on a client", "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  check \"rtt\" {}\n  probe \"p\" {\n    send = \"x\"\n  }\n  ping_client \"c\" {\n    server = \"127.0.0.1:1\"\n  }\n}\n", "Probes need a server under test", 4},
		{"bad hex", "suite {\n  role = \"ping_server\"\n}\nscenario \"x\" {\n  check \"echo_upper\" {}\n  probe \"p\" {\n    send = [\"hex:zz\"]\n  }\n}\n", "Invalid send", 7},
		{"a file outside", "suite {\n  role = \"ping_client\"\n  files = {\n    \"../x\" = \"y\"\n  }\n}\n", "Invalid file path", 3},
		{"duplicate scenario", "suite {\n  role = \"ping_client\"\n}\n" + minimalScenario + strings.Replace(minimalScenario, "\n", "\n\n", 1), "Duplicate scenario", 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := suite.Parse("s.hcl", []byte(tt.src), check.Graders())
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if !strings.Contains(d.Summary+" "+d.Detail, tt.summary) {
				t.Errorf("first error %q (%s), want %q", d.Summary, d.Detail, tt.summary)
			}
			if d.Subject == nil || d.Subject.Start.Line != tt.line {
				t.Errorf("at %v, want line %d", d.Subject, tt.line)
			}
		})
	}
}

// TestSuiteTypeMistakes: a value of the wrong type or an argument a block
// does not have is an error at its file:line:col, never dropped.
func TestSuiteTypeMistakes(t *testing.T) {
	const header = "suite {\n  role = \"ping_server\"\n}\n"
	scenario := func(inner string) string {
		return header + "scenario \"x\" {\n" + inner + "  ping_server \"s\" {\n  }\n  ping_client \"c\" {\n    server = ping_server.s.address\n  }\n}\n"
	}
	tests := []struct {
		name, src, summary, at string
	}{
		{"a suite description that is a list", "suite {\n  role        = \"ping_server\"\n  description = [\"a\"]\n}\n", "Unsuitable value type", "s.hcl:3,17"},
		{"a suite's unknown argument", "suite {\n  role  = \"ping_server\"\n  owner = \"me\"\n}\n", "Unsupported argument", "s.hcl:3,3"},
		{"files that are not a map", "suite {\n  role  = \"ping_server\"\n  files = \"www\"\n}\n", "Unsuitable value type", "s.hcl:3,12"},
		{"a scenario description that is an object", scenario("  description = { a = 1 }\n  check \"echo_upper\" {}\n"), "Unsuitable value type", "s.hcl:5,17"},
		{"points that are words", scenario("  check \"echo_upper\" {\n    points = \"many\"\n  }\n"), "Unsuitable value type", "s.hcl:6,15"},
		{"extra that is not a bool", scenario("  check \"echo_upper\" {\n    extra = \"maybe\"\n  }\n"), "Unsuitable value type", "s.hcl:6,14"},
		{"a number for hold", scenario("  check \"echo_upper\" {}\n  probe \"p\" {\n    send = \"x\"\n    hold = 3\n  }\n"), "Unsuitable value type", "s.hcl:8,12"},
		{"a probe's unknown argument", scenario("  check \"echo_upper\" {}\n  probe \"p\" {\n    send   = \"x\"\n    repeat = 2\n  }\n"), "Unsupported argument", "s.hcl:8,5"},
		{"send that is an object", scenario("  check \"echo_upper\" {}\n  probe \"p\" {\n    send = { a = 1 }\n  }\n"), "Invalid send", "s.hcl:7,12"},
		{"an empty wait", scenario("  check \"echo_upper\" {}\n  probe \"p\" {\n    send = \"x\"\n    wait = \"\"\n  }\n"), "Invalid wait", "s.hcl:8,12"},
		{"a wait that is no duration", scenario("  check \"echo_upper\" {}\n  probe \"p\" {\n    send = \"x\"\n    wait = 3\n  }\n"), "Invalid wait", "s.hcl:8,12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := suite.Parse("s.hcl", []byte(tt.src), check.Graders())
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if !strings.Contains(d.Summary+" "+d.Detail, tt.summary) {
				t.Errorf("first error %q (%s), want %q", d.Summary, d.Detail, tt.summary)
			}
			if d.Subject == nil {
				t.Fatalf("no position, want %s", tt.at)
			}
			if at := fmt.Sprintf("%s:%d,%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column); at != tt.at {
				t.Errorf("at %s, want %s", at, tt.at)
			}
		})
	}
}
