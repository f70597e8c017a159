package lab

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/proto/roles"
)

// badValues are values of the wrong type, or holding a null, for any
// attribute: each must be a diagnostic at the attribute, never a panic.
var badValues = []string{`[null]`, `{ k = null }`, `[[]]`, `[{}, null]`, `{ k = [null] }`}

// place is one attribute that takes a value, in a lab that is otherwise
// right.
type place struct {
	name string
	// src is the lab with ATTR = VALUE where the attribute goes.
	src string
}

func valuePlaces() []place {
	var ps []place
	add := func(name, src string) { ps = append(ps, place{name, src}) }
	for _, a := range []string{"name", "seed", "timeout", "duration", "links", "capture"} {
		add("lab."+a, "lab {\n  ATTR = VALUE\n}\n")
	}
	for _, r := range roles.Sheet().All() {
		required := ""
		if r.Side == roles.Client {
			required = "  server = \"127.0.0.1:9\"\n"
		}
		fields := r.Config().Fields()
		for i := 0; i < fields.Len(); i++ {
			name := string(fields.Get(i).Name())
			req := required
			if name == "server" {
				req = ""
			}
			add(r.Name+"."+name, fmt.Sprintf("%s \"c\" {\n%s  %s = VALUE\n}\n", r.Name, req, name))
		}
		for _, a := range pluginSchema().Attributes {
			kind := "  program = [\"./plugin.sh\"]\n"
			for _, k := range pluginOrigins {
				if a.Name == k {
					kind = ""
				}
			}
			add(r.Name+".plugin."+a.Name, fmt.Sprintf("%s \"c\" {\n%s  plugin {\n%s    ATTR = VALUE\n  }\n}\n", r.Name, required, kind))
		}
		if r.Side != roles.Client {
			continue
		}
		for _, a := range []string{"direct", "front"} {
			add(r.Name+".link."+a, fmt.Sprintf("%s \"c\" {\n%s  link {\n    ATTR = VALUE\n  }\n}\n", r.Name, required))
		}
		for _, f := range impairmentFields() {
			if f.only != "" && f.only != r.Transport {
				continue
			}
			add(r.Name+".link."+f.name, fmt.Sprintf("%s \"c\" {\n%s  link {\n    ATTR = VALUE\n  }\n}\n", r.Name, required))
			add(r.Name+".link.to_client."+f.name, fmt.Sprintf("%s \"c\" {\n%s  link {\n    to_client {\n      ATTR = VALUE\n    }\n  }\n}\n", r.Name, required))
		}
	}
	return ps
}

// TestNullsAndWrongTypesAreDiagnostics tries every attribute that takes a
// value with nulls and values of the wrong type: each is an error
// diagnostic pointing at the value's line, never a panic.
func TestNullsAndWrongTypesAreDiagnostics(t *testing.T) {
	for _, p := range valuePlaces() {
		attr := p.name[strings.LastIndexByte(p.name, '.')+1:]
		for _, v := range badValues {
			t.Run(p.name+"="+v, func(t *testing.T) {
				src := strings.Replace(strings.Replace(p.src, "ATTR", attr, 1), "VALUE", v, 1)
				line := strings.Count(src[:strings.Index(src, attr+" = "+v)], "\n") + 1
				_, diags := load(t, src, Options{})
				if !errorOnLine(diags, line) {
					t.Fatalf("no error on line %d for\n%s\ngot %v", line, src, diags)
				}
			})
		}
		// A null leaves a setting at its default, but names no plugin.
		t.Run(p.name+"=null", func(t *testing.T) {
			src := strings.Replace(strings.Replace(p.src, "ATTR", attr, 1), "VALUE", "null", 1)
			_, diags := load(t, src, Options{})
			for _, k := range pluginOrigins {
				if attr == k && !errorOnLine(diags, strings.Count(src[:strings.Index(src, attr+" = ")], "\n")+1) {
					t.Fatalf("%s = null gave %v", attr, diags)
				}
			}
		})
	}
}

func errorOnLine(diags hcl.Diagnostics, line int) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil && d.Subject.Start.Line <= line && line <= d.Subject.End.Line {
			return true
		}
	}
	return false
}

// TestSubmissionNulls is the submission.hcl that panicked the grader, and
// its relatives: every one is a diagnostic.
func TestSubmissionNulls(t *testing.T) {
	var tests []string
	for _, a := range pluginSchema().Attributes {
		for _, v := range append([]string{"null"}, badValues...) {
			kind := `  program = ["python3", "client.py"]` + "\n"
			for _, k := range pluginOrigins {
				if a.Name == k {
					kind = ""
				}
			}
			if kind == "" || v != "null" { // a null setting is its default
				tests = append(tests, fmt.Sprintf("plugin {\n%s  %s = %s\n}\n", kind, a.Name, v))
			}
		}
	}
	tests = append(tests, "plugin {\n  program = [null]\n}\n", "plugin = null\n", "plugin {}\n", "", "plugin {\n  program = []\n}\n")
	for _, src := range tests {
		t.Run(src, func(t *testing.T) {
			_, files, diags := ParsePlugin(context.Background(), "submission.hcl", []byte(src), t.TempDir(), SubmissionLimits())
			if !diags.HasErrors() {
				t.Fatalf("no error")
			}
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a place: %v", d)
				}
			}
			var b strings.Builder
			WriteDiagnostics(&b, diags, files)
			if !strings.Contains(b.String(), "submission.hcl:") {
				t.Fatalf("printed %q", b.String())
			}
		})
	}
}
