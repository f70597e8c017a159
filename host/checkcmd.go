package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/check"
	"github.com/socklab/socklab/host/check/isolate"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/sandbox"
)

// Hidden flags of check: the child that grades one submission, and the
// probe of what isolation works.
const (
	checkOneFlag   = "--one"
	checkProbeFlag = "--probe-isolation"
)

const checkAbout = `
COMPONENT is a Go plugin's directory, a Python file, a program, a quoted
command ("python3 UDPPingerClient.py"), a student's directory (with a
submission.hcl, a Go main package or a Python program), or a directory of
student directories, one row each. A command may also follow "--":
socklab check --role ROLE [flags] -- COMMAND [ARG...]

Exit status: 0 every scenario of every component passed, 1 some failed,
2 the command line or the suite is wrong, 130 interrupted.`

func checkCommand() *command {
	return &command{
		name: "check", args: "COMPONENT...", summary: "grade components against their role's conformance suite",
		about: checkAbout,
		setup: checkFlags,
	}
}

// checkFlags defines the flags of `socklab check`.
func checkFlags(fs *flag.FlagSet, std stdio) func(positional, command []string) int {
	o := &checkOptions{}
	fs.StringVar(&o.role, "role", "", "the `ROLE` graded: "+strings.Join(labs.Builtin().Names(), ", "))
	fs.StringVar(&o.suitePath, "suite", "", "a suite `FILE` instead of the built-in suite of the role")
	fs.BoolVar(&o.showSuite, "show-suite", false, "print the built-in suite of the role, to copy and change")
	fs.StringVar(&o.reportDir, "report", "", "write report.json, junit.xml, Gradescope's results.json and pages (index.html) to `DIR`")
	fs.IntVar(&o.jobs, "jobs", runtime.NumCPU(), "`N` submissions graded at once")
	fs.DurationVar(&o.timeout, "timeout", 0, "longest run (a `DURATION`, like 2m) of the suite per submission (default: the suite's)")
	fs.StringVar(&o.isolation, "isolation", "auto", "`MODE`: auto, netns, userns or none (one at a time)")
	fs.StringVar(&o.python, "python", submission.DefaultPython(), "`PATH` of the interpreter for Python submissions")
	fs.BoolVar(&o.program, "program", false, "a command is a plain program, not a plugin")
	fs.StringVar(&o.expects, "expects", "", "override: the `ADDRESS` plain clients send to, or plain servers must bind (default: what each program hard-codes, a server's read from /proc)")
	fs.StringVar(&o.sandbox, "sandbox", "auto", "`MODE`: auto (each submission sandboxed where it can be), on (sandboxed, or an error) or off")
	o.limits = sandbox.DefaultLimits
	fs.Func("memory", "memory `SIZE` of a submission's processes together (like 256M; off for none) (default 256M)", byteFlag(&o.limits.Memory))
	fs.IntVar(&o.limits.Procs, "procs", o.limits.Procs, "`N` processes and threads of a submission at once (0 for no limit)")
	fs.DurationVar(&o.limits.CPUTime, "cpu-time", o.limits.CPUTime, "CPU time (a `DURATION`) of a submission's processes together, per scenario (0 for no limit)")
	fs.Func("file-size", "largest `SIZE` of a file a submission writes (default 16M)", byteFlag(&o.limits.FileSize))
	fs.Func("output", "`SIZE` of a submission's output per scenario (default 4M)", byteFlag(&o.limits.Output))
	fs.BoolVar(&o.one, "one", false, "(hidden) grade the one submission read from stdin")
	fs.BoolVar(&o.probe, "probe-isolation", false, "(hidden) probe what isolation works")
	return func(positional, command []string) int {
		return runCheck(o, positional, command, std.out, std.err)
	}
}

// checkOptions are the flags of `socklab check`.
type checkOptions struct {
	role, suitePath, reportDir, isolation, python, expects, sandbox string
	limits                                                          sandbox.Limits
	showSuite, program, one, probe                                  bool
	jobs                                                            int
	timeout                                                         time.Duration
}

// runCheck is `socklab check`.
func runCheck(o *checkOptions, positional, command []string, stdout, stderr io.Writer) int {
	switch {
	case o.probe:
		if err := isolate.LoopbackUp(); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
		return exitOK
	case o.one:
		return checkOne(stderr)
	}
	if o.showSuite {
		src, err := check.BuiltinSource(o.role)
		if err != nil {
			fmt.Fprintf(stderr, "socklab check: no built-in suite for role %q (roles: %s)\n", o.role, strings.Join(labs.Builtin().Names(), ", "))
			return exitBadLab
		}
		stdout.Write(src)
		return exitOK
	}
	suite, code := loadSuite(o.suitePath, o.role, stderr)
	if suite == nil {
		return code
	}
	if len(positional) == 0 && len(command) == 0 {
		fmt.Fprintln(stderr, "socklab check: name a component to grade\nRun 'socklab help check' for its usage.")
		return exitBadLab
	}
	d := submission.Detector{Role: suite.Role, Python: o.python, Plain: o.program, Expects: o.expects}
	var subs []submission.Submission
	for _, p := range positional {
		found, err := d.Paths(p)
		if err != nil {
			fmt.Fprintf(stderr, "socklab check: %v\n", err)
			return exitBadLab
		}
		subs = append(subs, found...)
	}
	if len(command) > 0 {
		sub, err := d.Command(command)
		if err != nil {
			fmt.Fprintf(stderr, "socklab check: %v\n", err)
			return exitBadLab
		}
		subs = append(subs, sub)
	}

	// Python plugins import the host's SDK wherever they run, with no
	// PYTHONPATH of the student's.
	var specs []*lab.PluginSpec
	for i := range subs {
		specs = append(specs, &subs[i].Spec)
	}
	if err := givePythonSDK(specs); err != nil {
		fmt.Fprintf(stderr, "socklab check: %v\n", err)
		return exitFailed
	}

	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "socklab check: cannot find the socklab executable: %v\n", err)
		return exitFailed
	}
	iso, err := isolationMode(o.isolation, exe, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "socklab check: %v\n", err)
		return exitBadLab
	}
	box, err := sandboxMode(o.sandbox, exe, o.limits, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "socklab check: %v\n", err)
		return exitBadLab
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	timeout := o.timeout
	if timeout <= 0 {
		timeout = suite.Timeout()
	}
	report := check.Grade(ctx, check.Options{
		Suite: suite, Submissions: subs, Jobs: o.jobs, Timeout: timeout, Isolation: iso,
		OneCommand: []string{exe, "check", checkOneFlag},
		Builder:    &launch.Builder{Dir: launch.DefaultCacheDir(), Socklab: launch.FindSocklabModule()},
		Sandbox:    box,
		Progress:   stderr,
		Traces:     o.reportDir != "",
	})
	report.WriteText(stdout)
	if o.reportDir != "" {
		if err := report.WriteFiles(o.reportDir); err != nil {
			fmt.Fprintf(stderr, "socklab check: %v\n", err)
			return exitFailed
		}
	}
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case !report.Passed:
		return exitFailed
	}
	return exitOK
}

// loadSuite reads --suite, or the built-in suite of --role.
func loadSuite(path, role string, stderr io.Writer) (*suite.Suite, int) {
	if path == "" && role == "" {
		fmt.Fprintf(stderr, "socklab check: say which role to grade with --role (%s), or give a --suite\n", strings.Join(labs.Builtin().Names(), ", "))
		return nil, exitBadLab
	}
	if path == "" {
		path = "builtin:" + role
	}
	suite, diags := check.LoadSuite(path)
	if diags.HasErrors() {
		var files map[string]*hcl.File
		if suite != nil {
			files = suite.SourceFiles()
		}
		lab.WriteDiagnostics(stderr, diags, files)
		return nil, exitBadLab
	}
	if role != "" && suite.Role.Name != role {
		fmt.Fprintf(stderr, "socklab check: the suite %s grades %s, not %s\n", path, suite.Role.Name, role)
		return nil, exitBadLab
	}
	return suite, exitOK
}

// byteFlag sets a size from a flag: 256M, 16KiB, off.
func byteFlag(dst *int64) func(string) error {
	return func(s string) error {
		n, err := sandbox.ParseBytes(s)
		if err == nil {
			*dst = n
		}
		return err
	}
}

// sandboxMode reads --sandbox: on where it can be made (auto), always
// (on: an error if it cannot), or never. It says which limits are off.
func sandboxMode(mode, exe string, limits sandbox.Limits, stderr io.Writer) (*isolate.Sandbox, error) {
	switch mode {
	case "off":
		fmt.Fprintln(stderr, "socklab check: --sandbox off: submissions run as this user, seeing its files, with no limits")
		return nil, nil
	case "on", "auto":
	default:
		return nil, fmt.Errorf("--sandbox is auto, on or off, not %q", mode)
	}
	v, err := sandbox.Probe(exe, sandbox.Config{Limits: limits})
	if err != nil {
		if mode == "on" {
			return nil, fmt.Errorf("--sandbox on, but %v", err)
		}
		fmt.Fprintf(stderr, "socklab check: submissions are not sandboxed (--sandbox auto): %v\n", err)
		return nil, nil
	}
	if len(v.Off) > 0 {
		fmt.Fprintf(stderr, "socklab check: sandboxed, but these limits are off here: %s\n", strings.Join(v.Off, "; "))
	}
	return &isolate.Sandbox{Exe: exe, Limits: limits, Off: v.Off}, nil
}

// isolationMode reads --isolation; auto takes the strongest that works.
func isolationMode(mode, exe string, stderr io.Writer) (isolate.Isolation, error) {
	switch mode {
	case "netns", "userns", "none":
		return isolate.Isolation(mode), nil
	case "auto":
		iso, err := isolate.ChooseIsolation(exe, []string{"check", checkProbeFlag})
		if iso == isolate.None {
			fmt.Fprintf(stderr, "socklab check: no network namespace can be made here, so submissions are graded one at a time on the host's network (%v)\n", err)
		}
		return iso, nil
	}
	return "", fmt.Errorf("--isolation is auto, netns, userns or none, not %q", mode)
}

// checkOne is `socklab check --one`: one submission's run of a suite, in
// the child process Grade starts for it.
func checkOne(stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	env := check.Env{
		Builtin: []string{exe, pluginCommand},
		Contain: []string{exe},
		Builder: &launch.Builder{Dir: launch.DefaultCacheDir(), Socklab: launch.FindSocklabModule()},
		Log:     zerolog.New(stderr).Level(zerolog.WarnLevel),
	}
	start := time.Now()
	if err := check.RunOne(ctx, os.Stdin, os.Stdout, env); err != nil {
		fmt.Fprintf(stderr, "socklab check --one: %v (after %s)\n", err, time.Since(start).Round(time.Millisecond))
		return exitFailed
	}
	return exitOK
}
