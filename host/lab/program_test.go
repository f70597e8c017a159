package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/socklab/socklab/proto/roles"
)

func TestProgramPlugin(t *testing.T) {
	l, diags := load(t, `
ping_client "student" {
  server = "127.0.0.1:1"
  plugin {
    program = ["sh", "client.sh"]
    expects = "localhost:12001"
    args    = ["{host}", "{port}"]
  }
}
ping_server "sheet" {
  plugin {
    program = "./plugin.sh"
  }
}
`, Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c := l.Components[0].Plugin
	if c.From != Plain || !strings.HasSuffix(c.Command[0], "/sh") || c.Command[1] != "client.sh" ||
		c.Expects != "localhost:12001" || strings.Join(c.Args, " ") != "{host} {port}" {
		t.Errorf("client plugin %+v", c)
	}
	if got := c.String(); !strings.HasPrefix(got, "program ") {
		t.Errorf("String() = %q", got)
	}
	s := l.Components[1].Plugin
	if s.From != Plain || s.Expects != "" || s.Args != nil {
		t.Errorf("server plugin %+v", s)
	}
}

func TestProgramPluginMistakes(t *testing.T) {
	tests := []struct {
		name, src, summary string
		line, col          int
	}{
		{"expects on a plugin", "ping_server \"s\" {\n  plugin {\n    builtin = true\n    expects = \"127.0.0.1:1\"\n  }\n}\n", "Setting for plain programs only", 4, 5},
		{"expects without port", "ping_server \"s\" {\n  plugin {\n    program = \"./plugin.sh\"\n    expects = \"localhost\"\n  }\n}\n", "Invalid value for expects", 4, 15},
		{"expects port 0", "ping_server \"s\" {\n  plugin {\n    program = \"./plugin.sh\"\n    expects = \"localhost:0\"\n  }\n}\n", "Invalid value for expects", 4, 15},
		{"program and command", "ping_server \"s\" {\n  plugin {\n    program = \"./plugin.sh\"\n    command = \"./plugin.sh\"\n  }\n}\n", "Plugin kind needed", 3, 5},
		{"missing program", "ping_server \"s\" {\n  plugin {\n    program = [\"./nope.py\"]\n  }\n}\n", "Missing plugin", 3, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load(t, tt.src, Options{})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if !strings.Contains(d.Summary+" "+d.Detail, tt.summary) {
				t.Errorf("first error %q (%s), want %q", d.Summary, d.Detail, tt.summary)
			}
			if d.Subject == nil || d.Subject.Start.Line != tt.line || d.Subject.Start.Column != tt.col {
				t.Errorf("at %v, want %d:%d", d.Subject, tt.line, tt.col)
			}
		})
	}
}

func TestLoadPlugin(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "client.py"), []byte("print('hi')\n"), 0o644))
	path := filepath.Join(dir, "submission.hcl")
	must(t, os.WriteFile(path, []byte("plugin {\n  program = [\"sh\", \"client.py\"]\n  dir = \"sub\"\n}\n"), 0o644))
	spec, _, diags := LoadPlugin(path)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if spec.From != Plain || spec.WorkDir != filepath.Join(dir, "sub") {
		t.Errorf("spec %+v", spec)
	}

	must(t, os.WriteFile(path, []byte("plugin {\n  program = [\"sh\", \"client.py\"]\n}\n"), 0o644))
	if spec, _, _ := LoadPlugin(path); spec.WorkDir != "" {
		t.Errorf("a working directory %q that the block does not set", spec.WorkDir)
	}

	must(t, os.WriteFile(path, []byte("# nothing here\n"), 0o644))
	if _, _, diags := LoadPlugin(path); !diags.HasErrors() || !strings.Contains(diags.Error(), "No plugin block") {
		t.Errorf("empty submission.hcl: %v", diags)
	}
}

// TestLoadBody reads a lab out of a block of another file, as a check
// suite's scenario holds one, with that block's own attributes taken out.
func TestLoadBody(t *testing.T) {
	src := `
scenario "one" {
  points = 3
  lab {
    seed = 9
  }
  ping_server "reference" {
    listen = "127.0.0.1:0"
  }
  ping_client "student" {
    server = ping_server.reference.address
    count  = nope
  }
}
`
	parser := hclparse.NewParser()
	file, diags := parser.ParseHCL([]byte(src), "suite.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	content, _ := file.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "scenario", LabelNames: []string{"name"}}}})
	inner, rest, diags := content.Blocks[0].Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "points"}}})
	if diags.HasErrors() || inner.Attributes["points"] == nil {
		t.Fatal(diags)
	}
	l, diags := LoadBody("suite.hcl", t.TempDir(), rest, parser.Files(), Options{Roles: roles.Sheet()})
	if !diags.HasErrors() {
		t.Fatal("want the error in the scenario's lab")
	}
	d := diags.Errs()[0].(*hcl.Diagnostic)
	if d.Subject == nil || d.Subject.Filename != "suite.hcl" || d.Subject.Start.Line != 12 {
		t.Errorf("error at %v: %v", d.Subject, d)
	}
	if l.Seed != 9 || len(l.Components) != 2 {
		t.Errorf("seed %d, components %v", l.Seed, l.Components)
	}
}
