package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/check"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/proto/roles"
)

// Hidden flags of check: the child that grades one submission, and the
// probe of what isolation works.
const (
	checkOneFlag   = "--one"
	checkProbeFlag = "--probe-isolation"
)

func checkUsage(w io.Writer) {
	fmt.Fprint(w, `usage:
  socklab check --role ROLE [flags] COMPONENT...
  socklab check --role ROLE [flags] -- COMMAND [ARG...]

COMPONENT is a Go plugin's directory, a Python file, a program, a quoted
command ("python3 UDPPingerClient.py"), a student's directory (with a
submission.hcl, a Go main package or a Python program), or a directory of
student directories, one row each.

flags:
  --role ROLE        the role graded: `+strings.Join(roles.Names(), ", ")+`
  --suite FILE       a suite file instead of the built-in suite of the role
  --show-suite       print the built-in suite of the role, to copy and change
  --report DIR       write report.json, junit.xml and Gradescope's results.json
  --jobs N           submissions graded at once (default: the number of CPUs)
  --timeout D        longest run of the suite per submission (default: the suite's)
  --isolation MODE   auto (default), netns, userns or none (one at a time)
  --python PATH      interpreter for Python submissions (default /usr/bin/python3)
  --program          a command is a plain program, not a plugin
  --expects ADDR     a plain program's hard-coded address, if not the sheet's

Exit status: 0 every scenario of every component passed, 1 some failed,
2 the command line or the suite is wrong, 130 interrupted.
`)
}

// runCheck is `socklab check`.
func runCheck(args []string, stdout, stderr io.Writer) int {
	switch {
	case slices.Equal(args, []string{checkProbeFlag}):
		if err := check.LoopbackUp(); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
		return exitOK
	case slices.Equal(args, []string{checkOneFlag}):
		return checkOne(stderr)
	}
	var command []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, command = args[:i], args[i+1:]
	}
	fs := flag.NewFlagSet("socklab check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { checkUsage(stderr) }
	role := fs.String("role", "", "role to grade")
	suitePath := fs.String("suite", "", "suite file")
	showSuite := fs.Bool("show-suite", false, "print the built-in suite")
	reportDir := fs.String("report", "", "report directory")
	jobs := fs.Int("jobs", runtime.NumCPU(), "submissions at once")
	timeout := fs.Duration("timeout", 0, "per submission")
	isolation := fs.String("isolation", "auto", "auto, netns, userns or none")
	python := fs.String("python", check.DefaultPython(), "Python interpreter")
	program := fs.Bool("program", false, "commands are plain programs")
	expects := fs.String("expects", "", "plain program's address")
	var positional []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return exitOK
		} else if err != nil {
			return exitBadLab
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}

	if *showSuite {
		src, err := check.BuiltinSource(*role)
		if err != nil {
			fmt.Fprintf(stderr, "socklab check: no built-in suite for role %q (roles: %s)\n", *role, strings.Join(roles.Names(), ", "))
			return exitBadLab
		}
		stdout.Write(src)
		return exitOK
	}
	suite, code := loadSuite(*suitePath, *role, stderr)
	if suite == nil {
		return code
	}
	if len(positional) == 0 && len(command) == 0 {
		fmt.Fprintln(stderr, "socklab check: name a component to grade")
		checkUsage(stderr)
		return exitBadLab
	}
	d := check.Detector{Role: suite.Role.Name, Python: *python, Program: *program, Expects: *expects}
	var subs []check.Submission
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

	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "socklab check: cannot find the socklab executable: %v\n", err)
		return exitFailed
	}
	iso, err := isolationMode(*isolation, exe, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "socklab check: %v\n", err)
		return exitBadLab
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *timeout <= 0 {
		*timeout = suite.Timeout()
	}
	report := check.Grade(ctx, check.Options{
		Suite: suite, Submissions: subs, Jobs: *jobs, Timeout: *timeout, Isolation: iso,
		OneCommand: []string{exe, "check", checkOneFlag},
		Builder:    &launch.Builder{Dir: launch.DefaultCacheDir()},
		Progress:   stderr,
	})
	report.WriteText(stdout)
	if *reportDir != "" {
		if err := report.WriteFiles(*reportDir); err != nil {
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
func loadSuite(path, role string, stderr io.Writer) (*check.Suite, int) {
	if path == "" && role == "" {
		fmt.Fprintf(stderr, "socklab check: say which role to grade with --role (%s), or give a --suite\n", strings.Join(roles.Names(), ", "))
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

// isolationMode reads --isolation; auto takes the strongest that works.
func isolationMode(mode, exe string, stderr io.Writer) (check.Isolation, error) {
	switch mode {
	case "netns", "userns", "none":
		return check.Isolation(mode), nil
	case "auto":
		iso, err := check.ChooseIsolation(exe, []string{"check", checkProbeFlag})
		if iso == check.None {
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
		Builder: &launch.Builder{Dir: launch.DefaultCacheDir()},
		Log:     zerolog.New(stderr).Level(zerolog.WarnLevel),
	}
	start := time.Now()
	if err := check.RunOne(ctx, os.Stdin, os.Stdout, env); err != nil {
		fmt.Fprintf(stderr, "socklab check --one: %v (after %s)\n", err, time.Since(start).Round(time.Millisecond))
		return exitFailed
	}
	return exitOK
}
