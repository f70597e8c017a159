package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Origin is how a component's plugin is obtained.
type Origin int

const (
	// Builtin is socklab's reference implementation of the role, inside the
	// host binary.
	Builtin Origin = iota
	// GoSource is a Go main package the host builds.
	GoSource
	// Command is any executable speaking the plugin protocol.
	Command
	// Plain is a plain program (the lab file's program attribute), written
	// as the lab sheet asks, that
	// speaks no plugin protocol: the host runs it as it is, points the
	// lab's network at the address it has hard-coded, and reads what it
	// prints (see package plain).
	Plain
)

// PluginSpec says how to start a component's plugin process.
type PluginSpec struct {
	// From is where the implementation comes from.
	From Origin
	// Dir is the Go package directory (GoSource).
	Dir string
	// Command is the program and its arguments (Command, Plain).
	Command []string
	// Expects is a plain program's hard-coded address: where a client
	// sends (the link listens there for it) or where a server binds. Empty
	// means the lab sheet's address for the role.
	Expects string
	// Args are added to a plain program's command line, with {host},
	// {port} and {address} (and, for a web client, {path} and {file})
	// replaced by the address it is to use and the path to fetch. Nil
	// means the role's usual arguments (package plain).
	Args []string
	// WorkDir is where the process runs: the lab file's directory unless set.
	WorkDir string
	// DirSet: the plugin block's dir set WorkDir (a plain web server
	// otherwise runs in its document root).
	DirSet bool
	// Env adds "NAME=value" entries to the host's environment.
	Env          []string
	StartTimeout time.Duration
	// Range is where the plugin is named in the lab file.
	Range hcl.Range
}

func (p PluginSpec) String() string {
	switch p.From {
	case GoSource:
		return "go " + p.Dir
	case Command:
		return "command " + strings.Join(p.Command, " ")
	case Plain:
		return "program " + strings.Join(p.Command, " ")
	}
	return "builtin"
}

func pluginSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "builtin"}, {Name: "go"}, {Name: "command"}, {Name: "program"},
		{Name: "env"}, {Name: "dir"}, {Name: "start_timeout"},
		{Name: "expects"}, {Name: "args"},
	}}
}

// pluginOrigins are the attributes that name a plugin; a block has one.
var pluginOrigins = []string{"builtin", "go", "command", "program"}

// decodePlugin reads a component's plugin block: exactly one of
// `builtin = true`, `go = "DIR"`, `command = ["PROGRAM", "ARG"...]` or
// `program = ["PROGRAM", "ARG"...]` (a plain program, with `expects` and
// `args`). Without a block the component is the builtin reference.
func (l *Lab) decodePlugin(blocks hcl.Blocks, owner *hcl.Block) (PluginSpec, hcl.Diagnostics) {
	spec := PluginSpec{From: Builtin, WorkDir: l.Dir, StartTimeout: DefaultStartTimeout, Range: owner.DefRange}
	if len(blocks) == 0 {
		return spec, nil
	}
	var diags hcl.Diagnostics
	if len(blocks) > 1 {
		diags = append(diags, duplicate("plugin block", "", blocks[1].DefRange, blocks[0].DefRange))
	}
	b := blocks[0]
	content, d := b.Body.Content(pluginSchema())
	diags = append(diags, d...)
	attrs := content.Attributes
	var kinds []*hcl.Attribute
	for _, name := range pluginOrigins {
		if a, ok := attrs[name]; ok {
			kinds = append(kinds, a)
		}
	}
	if len(kinds) != 1 {
		at := b.DefRange
		if len(kinds) > 1 {
			at = kinds[1].NameRange
		}
		return spec, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Plugin kind needed",
			Detail:  `A plugin block names exactly one of: builtin = true, go = "DIR", command = ["PROGRAM", ...], program = ["PROGRAM", ...].`,
			Subject: at.Ptr()})
	}
	ctx := l.baseContext()
	if a, ok := attrs["dir"]; ok {
		diags = append(diags, decodeString(a, ctx, &spec.WorkDir)...)
		spec.WorkDir = l.abs(spec.WorkDir)
		spec.DirSet = true
	}
	if a, ok := attrs["env"]; ok {
		v, ok, d := eval(a, ctx, cty.Map(cty.String))
		diags = append(diags, d...)
		if ok {
			for k, e := range v.AsValueMap() {
				spec.Env = append(spec.Env, k+"="+e.AsString())
			}
			sort.Strings(spec.Env)
		}
	}
	if a, ok := attrs["start_timeout"]; ok {
		diags = append(diags, decodeDuration(a, ctx, &spec.StartTimeout, true)...)
	}
	a := kinds[0]
	spec.Range = a.Expr.Range()
	if v, d := a.Expr.Value(ctx); !d.HasErrors() && v.IsNull() {
		return spec, append(diags, invalid(a, "%s = null names no plugin; give it a value, or leave the plugin block out for the reference.", a.Name)...)
	}
	switch a.Name {
	case "builtin":
		var on bool
		diags = append(diags, decodeBool(a, ctx, &on)...)
		if !diags.HasErrors() && !on {
			diags = append(diags, invalid(a, "builtin = false names no plugin; use go or command instead.")...)
		}
	case "go":
		spec.From = GoSource
		var dir string
		diags = append(diags, decodeString(a, ctx, &dir)...)
		if !diags.HasErrors() {
			spec.Dir = l.abs(dir)
			if err := checkGoPackage(spec.Dir); err != nil {
				diags = append(diags, missingPlugin(a, err))
			}
		}
	case "command", "program":
		spec.From = Command
		if a.Name == "program" {
			spec.From = Plain
		}
		argv, d := decodeCommand(a, ctx)
		diags = append(diags, d...)
		if !diags.HasErrors() {
			prog, err := l.findProgram(argv[0])
			if err != nil {
				diags = append(diags, missingPlugin(a, err))
			}
			spec.Command = append([]string{prog}, argv[1:]...)
			if err == nil {
				if err := checkPythonScript(spec); err != nil {
					diags = append(diags, missingPlugin(a, err))
				}
			}
		}
	}
	diags = append(diags, l.decodeProgramSettings(&spec, attrs, ctx)...)
	return spec, diags
}

// decodeProgramSettings reads expects and args, which only a plain
// program has.
func (l *Lab) decodeProgramSettings(spec *PluginSpec, attrs hcl.Attributes, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range []string{"expects", "args"} {
		a, ok := attrs[name]
		if !ok {
			continue
		}
		if spec.From != Plain {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Setting for plain programs only",
				Detail:  name + " applies to a plain program (program = [...]); a plugin is told its addresses by the host.",
				Subject: a.NameRange.Ptr()})
			continue
		}
		switch name {
		case "expects":
			diags = append(diags, decodeString(a, ctx, &spec.Expects)...)
			if err := checkAddress(spec.Expects, true); err != nil && !diags.HasErrors() {
				diags = append(diags, invalid(a, "%v.", err)...)
			}
		case "args":
			v, ok, d := eval(a, ctx, cty.List(cty.String))
			diags = append(diags, d...)
			if ok {
				spec.Args = []string{}
				for _, e := range v.AsValueSlice() {
					spec.Args = append(spec.Args, e.AsString())
				}
			}
		}
	}
	return diags
}

// LoadPlugin reads a file that holds one plugin block, as a student's
// submission.hcl does to say how to run the submission, within
// SubmissionLimits; see ParsePlugin.
func LoadPlugin(path string) (PluginSpec, map[string]*hcl.File, hcl.Diagnostics) {
	return LoadPluginContext(context.Background(), path, SubmissionLimits())
}

// LoadPluginContext reads the plugin file at path within lim; see
// ParsePlugin.
func LoadPluginContext(ctx context.Context, path string, lim Limits) (PluginSpec, map[string]*hcl.File, hcl.Diagnostics) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return PluginSpec{}, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot resolve path", Detail: err.Error()}}
	}
	file, diags := ReadHCL(ctx, path, lim)
	files := map[string]*hcl.File{path: file}
	if diags.HasErrors() {
		return PluginSpec{}, files, diags
	}
	spec, d := decodePluginFile(path, filepath.Dir(abs), file, lim)
	return spec, files, append(diags, d...)
}

// ParsePlugin reads src, the text of a file that holds one plugin block
// (a student's submission.hcl), named name in diagnostics, within lim
// (SubmissionLimits for a file from a student). Relative paths in it
// resolve against dir. WorkDir is empty unless the block sets dir. Any
// mistake, null or wrong type is a diagnostic.
func ParsePlugin(ctx context.Context, name string, src []byte, dir string, lim Limits) (PluginSpec, map[string]*hcl.File, hcl.Diagnostics) {
	file, diags := ParseHCL(ctx, name, src, lim)
	files := map[string]*hcl.File{name: file}
	if diags.HasErrors() {
		return PluginSpec{}, files, diags
	}
	spec, d := decodePluginFile(name, dir, file, lim)
	return spec, files, append(diags, d...)
}

func decodePluginFile(path, dir string, file *hcl.File, lim Limits) (PluginSpec, hcl.Diagnostics) {
	content, diags := file.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "plugin"}}})
	blocks := content.Blocks.OfType("plugin")
	if len(blocks) == 0 {
		return PluginSpec{}, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No plugin block",
			Detail:  `Say how to run the submission: plugin { go = "." }, or plugin { program = ["python3", "client.py"] }.`,
			Subject: fileStart(path)})
	}
	l := &Lab{Path: path, Dir: dir, files: map[string]*hcl.File{path: file}, lim: lim.orDefaults()}
	spec, d := l.decodePlugin(blocks, blocks[0])
	if attrs, _ := blocks[0].Body.JustAttributes(); attrs["dir"] == nil {
		spec.WorkDir = "" // the caller's choice: no dir was given
	}
	return spec, append(diags, d...)
}

func missingPlugin(a *hcl.Attribute, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing plugin", Detail: err.Error() + ".", Subject: a.Expr.Range().Ptr()}
}

// decodeCommand accepts a list of strings, or one string for a program
// without arguments.
func decodeCommand(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	want := cty.List(cty.String)
	if v.Type() == cty.String {
		want = cty.String
	}
	v, ok, diags := eval(a, ctx, want)
	if !ok {
		if !diags.HasErrors() {
			diags = append(diags, invalid(a, "The command needs a program: %s = [\"PROGRAM\", \"ARG\"...].", a.Name)...)
		}
		return nil, diags
	}
	if want == cty.String {
		return []string{v.AsString()}, diags
	}
	var argv []string
	for _, e := range v.AsValueSlice() {
		argv = append(argv, e.AsString())
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, append(diags, invalid(a, "The command needs a program: %s = [\"PROGRAM\", \"ARG\"...].", a.Name)...)
	}
	return argv, diags
}

func (l *Lab) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(l.Dir, p)
}

// findProgram resolves a program named with a path against the lab's
// directory, and a bare name through PATH.
func (l *Lab) findProgram(name string) (string, error) {
	if !strings.Contains(name, "/") {
		p, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("no program %q on PATH", name)
		}
		return p, nil
	}
	p := l.abs(name)
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return "", fmt.Errorf("no file %s", p)
	case fi.IsDir():
		return "", fmt.Errorf("%s is a directory (for Go source, use go = %q)", p, name)
	case fi.Mode()&0o111 == 0:
		return "", fmt.Errorf("%s is not executable (chmod +x it, or run it with its interpreter: command = [\"python3\", %q])", p, name)
	}
	return p, nil
}

func checkGoPackage(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("no directory %s", dir)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(matches) == 0 {
		return fmt.Errorf("no .go files in %s", dir)
	}
	return nil
}
