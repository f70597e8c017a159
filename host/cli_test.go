package main

// Tests of the command line itself, through the built binary: help,
// version, fmt, validate -json, how LAB is named, flags anywhere, each
// error once, and diagnostics that say one thing per mistake.

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the host binary to completion in dir with stdin.
func runCLI(t *testing.T, dir, stdin string, args ...string) hostRun {
	t.Helper()
	bin, err := hostBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "GOCACHE="+goCache(), "XDG_CACHE_HOME="+cacheDir(t))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r := hostRun{}
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		r.exit = ee.ExitCode()
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// section returns the part of a help text about one command: from its
// synopsis line to the next blank line.
func section(help, cmd string) string {
	i := strings.Index(help, "\nsocklab "+cmd+" ")
	if i < 0 {
		i = strings.Index(help, "\nsocklab "+cmd+"\n")
	}
	if i < 0 {
		return ""
	}
	s := help[i+1:]
	if j := strings.Index(s, "\n\n"); j >= 0 {
		s = s[:j]
	}
	return s
}

func TestHelpListsCommandsAndTheirFlags(t *testing.T) {
	flagsOf := map[string][]string{
		"run":      {"--var NAME=VALUE", "--seed N", "--json", "--pcap FILE", "-v "},
		"validate": {"--var NAME=VALUE", "--json"},
		"fmt":      {"--check", "--diff", "--recursive"},
		"check":    {"--role ROLE", "--suite FILE", "--report DIR", "--jobs N", "--timeout DURATION"},
		"version":  {},
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := runCLI(t, "", "", args...)
		if r.exit != 0 || r.stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, r.exit, r.stderr)
		}
		for cmd, flags := range flagsOf {
			s := section(r.stdout, cmd)
			if s == "" {
				t.Errorf("%v does not list %s:\n%s", args, cmd, r.stdout)
			}
			for _, f := range flags {
				if !strings.Contains(s, f) {
					t.Errorf("%v: %s lacks %q:\n%s", args, cmd, f, s)
				}
			}
		}
		if strings.Contains(r.stdout, "--one") || strings.Contains(r.stdout, "probe-isolation") || strings.Contains(r.stdout, "plugin ") && strings.Contains(r.stdout, "\n  plugin") {
			t.Errorf("%v shows hidden commands or flags:\n%s", args, r.stdout)
		}
	}
	for _, args := range [][]string{{"help", "validate"}, {"validate", "--help"}, {"validate", "-h"}, {"validate", "lab.hcl", "-h"}} {
		r := runCLI(t, "", "", args...)
		if r.exit != 0 || !strings.HasPrefix(r.stdout, "socklab validate [flags] [LAB]") || !strings.Contains(r.stdout, "--json") ||
			strings.Contains(r.stdout, "--pcap") || r.stderr != "" {
			t.Errorf("%v: exit %d\n%s%s", args, r.exit, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, "", "", "help", "nosuch"); r.exit != 2 || !strings.Contains(r.stderr, `no command "nosuch"`) {
		t.Errorf("help nosuch: exit %d %q", r.exit, r.stderr)
	}
}

// TestVersionNamesTheRevision builds the host with VCS stamping (the
// environment may turn it off) and reads its version.
func TestVersionNamesTheRevision(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git: nothing to compare the revision with")
	}
	// Go stamps a build only in a repository's own work tree: a .git
	// directory, not the .git file of a linked worktree.
	if fi, err := os.Stat(filepath.Join(repoRoot(t), ".git")); err != nil || !fi.IsDir() {
		t.Skip("not the main work tree of a git clone: go build records no revision here")
	}
	head, err := exec.Command(git, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "socklab")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -buildvcs=true: %v\n%s", err, out)
	}
	for _, arg := range []string{"version", "--version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(out), "\n")
		if len(lines) < 3 || lines[0] != "socklab (devel)" && !strings.HasPrefix(lines[0], "socklab v") ||
			!strings.HasPrefix(lines[1], "revision "+strings.TrimSpace(string(head))+" (") || !strings.HasPrefix(lines[2], "go1.") {
			t.Errorf("%s:\n%s", arg, out)
		}
	}
}

const unformatted = "ping_server \"s\" {\nlisten = \"127.0.0.1:0\"\n    drop_rate=0\n}\n"
const formatted = "ping_server \"s\" {\n  listen    = \"127.0.0.1:0\"\n  drop_rate = 0\n}\n"

func TestFmtLikeTerraform(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	bad := write("a.hcl", unformatted)
	good := write("b.hcl", formatted)
	nested := write("sub/c.hcl", unformatted)

	r := runCLI(t, dir, "", "fmt", "-check", ".")
	if r.exit != 3 || r.stdout != "a.hcl\n" || read(bad) != unformatted {
		t.Fatalf("fmt -check: exit %d, stdout %q, stderr %q", r.exit, r.stdout, r.stderr)
	}
	r = runCLI(t, dir, "", "fmt", "a.hcl", "--check", "--diff")
	if r.exit != 3 || !strings.Contains(r.stdout, "--- old/a.hcl\n+++ new/a.hcl\n") || !strings.Contains(r.stdout, "\n-    drop_rate=0\n") ||
		!strings.Contains(r.stdout, "\n+  drop_rate = 0\n") || read(bad) != unformatted {
		t.Fatalf("fmt -check -diff: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	r = runCLI(t, dir, "", "fmt")
	if r.exit != 0 || r.stdout != "a.hcl\n" || read(bad) != formatted || read(good) != formatted || read(nested) != unformatted {
		t.Fatalf("fmt: exit %d, stdout %q, stderr %q", r.exit, r.stdout, r.stderr)
	}
	r = runCLI(t, dir, "", "fmt", "-recursive", dir)
	if r.exit != 0 || r.stdout != nested+"\n" || read(nested) != formatted {
		t.Fatalf("fmt -recursive: exit %d, stdout %q, stderr %q", r.exit, r.stdout, r.stderr)
	}
	if r = runCLI(t, dir, unformatted, "fmt", "-"); r.exit != 0 || r.stdout != formatted {
		t.Fatalf("fmt -: exit %d, stdout %q", r.exit, r.stdout)
	}
	broken := write("broken.hcl", "ping_server \"s\" {\n  listen = \n")
	r = runCLI(t, dir, "", "fmt", "broken.hcl")
	if r.exit != 2 || !strings.Contains(r.stderr, "broken.hcl:2:12: error: Invalid expression") || read(broken) != "ping_server \"s\" {\n  listen = \n" {
		t.Fatalf("fmt of a broken file: exit %d, stderr %q", r.exit, r.stderr)
	}
}

// validation is the JSON validate -json writes (terraform's shape).
type validation struct {
	FormatVersion string `json:"format_version"`
	Valid         bool   `json:"valid"`
	ErrorCount    int    `json:"error_count"`
	WarningCount  int    `json:"warning_count"`
	Diagnostics   []struct {
		Severity, Summary, Detail string
		Range                     struct {
			Filename   string
			Start, End struct{ Line, Column, Byte int }
		}
		Snippet struct {
			Context              *string
			Code                 string
			StartLine            int `json:"start_line"`
			HighlightStartOffset int `json:"highlight_start_offset"`
			HighlightEndOffset   int `json:"highlight_end_offset"`
		}
	}
}

func TestValidateJSON(t *testing.T) {
	good := writeLab(t, "ping_server \"s\" {\n  listen = \"127.0.0.1:0\"\n}\n")
	r := runCLI(t, "", "", "validate", good, "-json")
	var v validation
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.exit != 0 || !v.Valid || v.FormatVersion != "1.0" || v.ErrorCount != 0 ||
		v.Diagnostics == nil || !strings.Contains(r.stdout, `"diagnostics": []`) {
		t.Fatalf("good lab: exit %d, %v\n%s", r.exit, err, r.stdout)
	}
	bad := writeLab(t, "ping_client \"c\" {\n  server = \"127.0.0.1:1\"\n  count  = \"ten\"\n}\n")
	r = runCLI(t, "", "", "validate", "--json", bad)
	v = validation{}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.exit != 2 || v.Valid || v.ErrorCount != 1 || len(v.Diagnostics) != 1 || r.stderr != "" {
		t.Fatalf("bad lab: exit %d, %v\n%s\n%s", r.exit, err, r.stdout, r.stderr)
	}
	d := v.Diagnostics[0]
	if d.Severity != "error" || d.Summary != "Invalid value for count" || d.Range.Filename != bad || d.Range.Start.Line != 3 || d.Range.Start.Column != 12 ||
		d.Snippet.Code != `  count  = "ten"` || d.Snippet.StartLine != 3 || d.Snippet.HighlightStartOffset != 11 || d.Snippet.HighlightEndOffset != 16 ||
		d.Snippet.Context == nil || *d.Snippet.Context != `ping_client "c"` {
		t.Fatalf("diagnostic: %+v\n%s", d, r.stdout)
	}
	r = runCLI(t, "", "", "validate", "--json", filepath.Join(t.TempDir(), "none.hcl"))
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.exit != 2 || v.Valid || !strings.Contains(r.stdout, "no such file or directory") {
		t.Fatalf("missing lab: exit %d, %v\n%s", r.exit, err, r.stdout)
	}
}

// TestLabNamedAnyWay: LAB is a file of any name or a directory with a
// lab.hcl, flags go anywhere, and a wrong LAB or flag is one clear error.
func TestLabNamedAnyWay(t *testing.T) {
	dir := t.TempDir()
	lab := "ping_server \"s\" {\n  listen = \"127.0.0.1:0\"\n}\n"
	for _, name := range []string{"lab.hcl", "pinger.lab", "sub/lab.hcl"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(lab), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   []string
		exit   int
		stdout string // in stdout
		stderr string // in stderr, exactly once
	}{
		{[]string{"validate"}, 0, "lab.hcl: ok, 1 components", ""},
		{[]string{"validate", "pinger.lab"}, 0, "pinger.lab: ok", ""},
		{[]string{"validate", "sub"}, 0, "sub/lab.hcl: ok", ""},
		{[]string{"validate", "."}, 0, "lab.hcl: ok", ""},
		{[]string{"validate", "sub", "--seed", "4"}, 0, "sub/lab.hcl: ok", ""},
		{[]string{"validate", "empty"}, 2, "", "empty is a directory without a lab.hcl"},
		{[]string{"validate", "nope.lab"}, 2, "", "nope.lab: no such file or directory"},
		{[]string{"validate", "a.hcl", "b.hcl"}, 2, "", "One lab file at a time"},
		{[]string{"pinger.lab", "--bogus"}, 2, "", "socklab run: flag provided but not defined: -bogus"},
		{[]string{"validate", "--pcap", "x.pcap", "lab.hcl"}, 2, "", "flag provided but not defined: -pcap"},
		{[]string{"run", "lab.hcl", "--seed", "soon"}, 2, "", `invalid value "soon" for flag -seed`},
		{[]string{"pinger"}, 2, "", `"pinger" is neither a command`},
	}
	for _, tt := range tests {
		r := runCLI(t, dir, "", tt.args...)
		if r.exit != tt.exit || !strings.Contains(r.stdout, tt.stdout) || tt.stderr != "" && strings.Count(r.stderr, tt.stderr) != 1 ||
			strings.Contains(r.stderr, "Usage") || strings.Count(r.stderr, "\n") > 8 {
			t.Errorf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, r.exit, tt.exit, r.stdout, r.stderr)
		}
	}
}

// TestOneDiagnosticPerMistake: no error repeated, none caused by another.
func TestOneDiagnosticPerMistake(t *testing.T) {
	requireDebianPython(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.py"), []byte("def run(config, out)\n    pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, lab string
		want      []string // the diagnostics' first lines, in order
		detail    string
	}{
		{"an error in a server, none at its client",
			"ping_server \"ping_server\" {\n  listen    = \"127.0.0.1:0\"\n  drop_rate = \"lots\"\n}\nping_client \"c\" {\n  server = ping_server.ping_server.address\n}\n",
			[]string{"lab.hcl:3:15: error: Invalid value for drop_rate"}, ""},
		{"a TCP setting on a UDP link, once",
			"ping_server \"s\" {\n  listen = \"127.0.0.1:0\"\n}\nping_client \"c\" {\n  server = ping_server.s.address\n  link {\n    bandwidth = 1000\n    loss      = \"x\"\n  }\n}\n",
			[]string{"lab.hcl:7:5: error: Setting does not apply to this link", "lab.hcl:8:17: error: Invalid value for loss"}, ""},
		{"a duplicate name cites the first name",
			"ping_server \"s\" {\n  listen = \"127.0.0.1:0\"\n}\nping_client \"s\" {\n  server = \"127.0.0.1:1\"\n}\n",
			[]string{"lab.hcl:4:13: error: Duplicate component name"}, `is already used at LAB:1:13;`},
		{"a missing Python file",
			"ping_server \"s\" {\n  plugin {\n    command = [\"python3\", \"missing.py\"]\n  }\n}\n",
			[]string{"lab.hcl:3:15: error: Missing plugin"}, "missing.py"},
		{"a Python syntax error, with the lab's interpreter",
			"ping_server \"s\" {\n  plugin {\n    command = [\"" + debianPython + "\", \"" + filepath.Join(dir, "broken.py") + "\"]\n  }\n}\n",
			[]string{"lab.hcl:3:15: error: Python plugin of ping_server.s does not compile"}, "SyntaxError: expected ':'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeLab(t, tt.lab)
			r := runCLI(t, "", "", "validate", path)
			var got []string
			for _, l := range strings.Split(r.stderr, "\n") {
				if strings.Contains(l, ": error: ") || strings.Contains(l, ": warning: ") {
					got = append(got, strings.Replace(l, path, "lab.hcl", 1))
				}
			}
			detail := strings.ReplaceAll(tt.detail, "LAB", path)
			if r.exit != 2 || strings.Join(got, "\n") != strings.Join(tt.want, "\n") || !strings.Contains(r.stderr, detail) {
				t.Errorf("exit %d, diagnostics\n%s\nwant\n%s\nand %q; stderr:\n%s", r.exit, strings.Join(got, "\n"), strings.Join(tt.want, "\n"), detail, r.stderr)
			}
		})
	}
}

// TestPythonTracebackOnce: a Python plugin that dies before the handshake
// has its traceback shown once, under its name, before the host says it
// failed, with the exception in that message.
func TestPythonTracebackOnce(t *testing.T) {
	requireDebianPython(t)
	dir := t.TempDir()
	script := "import sys\nprint('starting', file=sys.stderr, flush=True)\ndef helper():\n    raise ValueError('kaboom')\nhelper()\n"
	if err := os.WriteFile(filepath.Join(dir, "boom.py"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	lab := "ping_server \"s\" {\n  listen = \"127.0.0.1:0\"\n  plugin {\n    command = [\"" + debianPython + "\", \"" + filepath.Join(dir, "boom.py") + "\"]\n  }\n}\n" +
		"ping_client \"c\" {\n  server = ping_server.s.address\n}\n"
	r := runCLI(t, "", "", "run", writeLab(t, lab))
	all := r.stdout + r.stderr
	if r.exit != 1 || strings.Count(all, "Traceback (most recent call last)") != 1 || strings.Contains(all, "is it a socklab plugin") {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	var order []string
	for _, l := range strings.Split(r.stdout, "\n") {
		switch {
		case strings.Contains(l, "stderr: starting"):
			order = append(order, "starting")
		case strings.Contains(l, "stderr: ValueError: kaboom"):
			order = append(order, "exception")
		case strings.Contains(l, " ERR ") && strings.Contains(l, "ended before the plugin handshake") && strings.Contains(l, "ValueError: kaboom (boom.py:4)"):
			order = append(order, "failed")
		}
	}
	if strings.Join(order, " ") != "starting exception failed" {
		t.Fatalf("order %v\n%s", order, r.stdout)
	}
}

// TestCheckExamplesAsDocumented grades the repository's own examples the
// way README and the kit's README say: a Python plugin with no PYTHONPATH,
// from another directory, and a Go plugin copied out of the module, with
// no go.mod of its own.
func TestCheckExamplesAsDocumented(t *testing.T) {
	requirePython(t)
	root := repoRoot(t)
	outside := t.TempDir()
	src, err := os.ReadFile(filepath.Join(root, "examples/ping-client/main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir string
		args      []string
		want      string
	}{
		{"python", outside, []string{"--role", "ping_server", filepath.Join(root, "examples/python/ping_server.py")}, "pass: 4/4 points, and 2/2 extra"},
		{"go without go.mod", root, []string{"--role", "ping_client", outside}, "pass: 16/16 points, and 2/2 extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startHostIn(t, tt.dir, []string{"PYTHONPATH="}, append([]string{"check"}, tt.args...)...).waitLong(t)
			if r.exit != 0 || !strings.Contains(r.stdout, tt.want) {
				t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
		})
	}
}
