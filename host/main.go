// Command socklab runs socket-programming labs: it reads a lab file, starts
// each client and server as a plugin process (socklab's reference or a
// student's), runs them together over real sockets and reports what
// happened.
//
//	socklab [run] [flags] [LAB]     run a lab (default lab.hcl)
//	socklab validate [flags] [LAB]  check a lab file without running it
//	socklab fmt [flags] [FILE|DIR...]  rewrite lab files in the canonical style
//	socklab check --role ROLE ...   grade components against the role's suite
//	socklab version                 the version and the revision it was built from
//
// `socklab help` lists every command with its flags (cli.go).
package main

import (
	_ "github.com/socklab/socklab/internal/hugeheap" // the heap's start on one huge page

	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/output"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/plugins/python"
	"github.com/socklab/socklab/plugins/sdk"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1 // a component failed
	exitBadLab      = 2 // the lab file or the command line is wrong
	exitInterrupted = 130
)

// outputFlushEvery is how often buffered output reaches the terminal.
const outputFlushEvery = 50 * time.Millisecond

// eventWindow is how long events are held to show them in the order they
// happened across components.
const eventWindow = 40 * time.Millisecond

// pluginCommand is the hidden subcommand that serves the builtin roles.
const pluginCommand = "plugin"

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// servePlugins is the hidden plugin command: the host serving its builtin
// roles to itself.
func servePlugins() int {
	sdk.Serve(labs.Builtin().Plugins())
	return exitOK
}

type varFlags map[string]string

func (v varFlags) String() string { return "" }

func (v varFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return errors.New("want NAME=VALUE")
	}
	v[name] = value
	return nil
}

// seedFlag is --seed, nil until given.
type seedFlag struct{ seed **int64 }

func (s seedFlag) String() string { return "" }

func (s seedFlag) Set(v string) error {
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		return errors.New("want an integer")
	}
	*s.seed = &n
	return nil
}

// config is what run and validate are told on the command line.
type config struct {
	lab     string
	opts    lab.Options
	json    bool
	verbose bool
	pcap    string
	// html is the page to write (--html), ui the address to serve the
	// live page at (--ui).
	html string
	ui   uiFlag
}

// labFlags defines the flags run and validate share.
func labFlags(fs *flag.FlagSet, cfg *config) {
	cfg.opts.Vars = varFlags{}
	fs.Var(varFlags(cfg.opts.Vars), "var", "`NAME=VALUE` sets a variable of the lab file (repeatable)")
	fs.Var(seedFlag{&cfg.opts.Seed}, "seed", "seed every random choice with `N` (default: the lab's, else random)")
}

const labArg = "[LAB]"

const labAbout = `
LAB is a lab file (any name), or a directory holding a lab.hcl; the default
is lab.hcl in the current directory.`

func runCommand() *command {
	return &command{
		name: "run", args: labArg, summary: "run a lab: start its components and show what they do",
		about: labAbout + `

Exit status: 0 every component succeeded, 1 one failed, 2 the lab file or
the command line is wrong, 130 interrupted before its clients were done.`,
		setup: func(fs *flag.FlagSet, std stdio) func([]string, []string) int {
			cfg := &config{}
			labFlags(fs, cfg)
			fs.BoolVar(&cfg.json, "json", false, "write JSON lines instead of text")
			fs.StringVar(&cfg.pcap, "pcap", "", "write the lab's traffic to `FILE` (Wireshark, tshark)")
			fs.BoolVar(&cfg.verbose, "v", false, "show debugging detail (plugin start-up, every packet of a link)")
			fs.StringVar(&cfg.html, "html", "", "write the run as a self-contained page to `FILE` (sequence diagram, figures, summary)")
			fs.Var(&cfg.ui, "ui", "serve the run's page live on `[ADDR]` (default "+defaultUIAddr+"); --ui=ADDR or --ui ADDR LAB")
			return func(positional, rest []string) int {
				positional = cfg.ui.takeAddress(positional)
				return runOrValidate("run", cfg, append(positional, rest...), std)
			}
		},
	}
}

func validateCommand() *command {
	return &command{
		name: "validate", args: labArg, summary: "check a lab file without running it (Go plugins are built, Python ones compiled)",
		about: labAbout + `

With --json, the diagnostics are one JSON object in the shape of
terraform validate -json: format_version, valid, error_count,
warning_count, and diagnostics with severity, summary, detail, range and
snippet.`,
		setup: func(fs *flag.FlagSet, std stdio) func([]string, []string) int {
			cfg := &config{}
			labFlags(fs, cfg)
			fs.BoolVar(&cfg.json, "json", false, "write the result as JSON (terraform validate -json's shape)")
			return func(positional, rest []string) int {
				return runOrValidate("validate", cfg, append(positional, rest...), std)
			}
		},
	}
}

// labPath resolves LAB: a file of any name, or a directory's lab.hcl.
func labPath(args []string) (string, hcl.Diagnostics) {
	path := "lab.hcl"
	switch len(args) {
	case 0:
	case 1:
		path = args[0]
	default:
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "One lab file at a time",
			Detail: fmt.Sprintf("Got %s; name one lab file or directory.", strings.Join(args, " "))}}
	}
	fi, err := os.Stat(path)
	if err == nil && fi.IsDir() {
		dir := path
		path = filepath.Join(dir, "lab.hcl")
		if fi, err = os.Stat(path); err != nil {
			return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No lab file in directory",
				Detail: fmt.Sprintf("%s is a directory without a lab.hcl; name the lab file itself.", dir)}}
		}
	}
	switch {
	case err != nil:
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read lab file", Detail: err.Error()}}
	case fi.IsDir():
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read lab file", Detail: path + " is a directory."}}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read lab file", Detail: err.Error()}}
	}
	f.Close()
	return path, nil
}

func runOrValidate(cmd string, cfg *config, args []string, std stdio) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	path, diags := labPath(args)
	l := &lab.Lab{Path: path}
	if !diags.HasErrors() {
		cfg.lab = path
		cfg.opts.Roles = labs.Builtin().Roles()
		l, diags = lab.LoadContext(ctx, cfg.lab, cfg.opts)
	}
	if ctx.Err() != nil {
		return exitInterrupted
	}
	builder := &launch.Builder{Dir: launch.DefaultCacheDir(), Socklab: launch.FindSocklabModule()}
	if !diags.HasErrors() {
		var specs []*lab.PluginSpec
		for _, c := range l.Components {
			specs = append(specs, &c.Plugin)
		}
		if err := givePythonSDK(specs); err != nil {
			fmt.Fprintf(std.err, "socklab %s: %v\n", cmd, err)
			return exitFailed
		}
	}
	// Python compiles in a moment, so its errors join any others; a Go
	// build waits for a lab that is otherwise right.
	diags = append(diags, lab.CompilePython(ctx, l)...)
	if !diags.HasErrors() {
		diags = append(diags, buildGoPlugins(ctx, l, builder)...)
	}
	if ctx.Err() != nil {
		return exitInterrupted
	}
	if cmd == "validate" && cfg.json {
		if err := lab.WriteDiagnosticsJSON(std.out, diags, l.Files()); err != nil {
			fmt.Fprintf(std.err, "socklab validate: %v\n", err)
			return exitFailed
		}
		if diags.HasErrors() {
			return exitBadLab
		}
		return exitOK
	}
	if len(diags) > 0 {
		lab.WriteDiagnostics(std.err, diags, l.Files())
	}
	if diags.HasErrors() {
		return exitBadLab
	}
	if cmd == "validate" {
		describeLab(std.out, l)
		return exitOK
	}
	return runLab(ctx, l, builder, cfg, std.out)
}

// givePythonSDK puts the host's own Python SDK on the PYTHONPATH of every
// plugin run by a Python interpreter, after any PYTHONPATH the lab or the
// environment gives.
func givePythonSDK(specs []*lab.PluginSpec) error {
	dir := ""
	for _, spec := range specs {
		if spec.From != lab.Command || lab.PythonScript(spec.Command, spec.WorkDir) == "" {
			continue
		}
		if dir == "" {
			var err error
			if dir, err = python.Install(pythonCacheDir()); err != nil {
				return err
			}
		}
		spec.Env = python.WithPath(spec.Env, dir)
	}
	return nil
}

// pythonCacheDir is where the Python SDK is unpacked, beside the plugins.
func pythonCacheDir() string { return filepath.Join(filepath.Dir(launch.DefaultCacheDir()), "python") }

// buildGoPlugins builds every Go source plugin up front, so that a
// compile error is shown against the lab file before anything runs.
func buildGoPlugins(ctx context.Context, l *lab.Lab, b *launch.Builder) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range l.Components {
		if c.Plugin.From != lab.GoSource {
			continue
		}
		if _, err := b.Build(ctx, c.Plugin.Dir); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			detail := err.Error()
			var be *launch.BuildError
			if errors.As(err, &be) {
				detail = be.Output
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
				Summary: fmt.Sprintf("Go plugin of %s does not build", c), Detail: detail, Subject: c.Plugin.Range.Ptr()})
		}
	}
	return diags
}

func describeLab(w io.Writer, l *lab.Lab) {
	fmt.Fprintf(w, "%s: ok, %d components\n", l.Path, len(l.Components))
	for _, c := range l.Components {
		fmt.Fprintf(w, "  %-28s %s\n", c.String(), c.Plugin)
		fmt.Fprintf(w, "  %-28s %s\n", "", output.Describe(c.Role, "settings", c.Config))
	}
}

func runLab(ctx context.Context, l *lab.Lab, builder *launch.Builder, cfg *config, stdout io.Writer) int {
	format := output.Console
	if cfg.json {
		format = output.JSON
	}
	level := zerolog.InfoLevel
	if cfg.verbose {
		level = zerolog.DebugLevel
	}
	color := false
	if f, ok := stdout.(*os.File); ok {
		color = isatty.IsTerminal(f.Fd())
	}
	// Times to the microsecond: events are microseconds apart on loopback.
	zerolog.TimeFieldFormat = time.RFC3339Nano
	buffered := output.NewBuffered(stdout, outputFlushEvery)
	defer buffered.Close()
	events := output.NewLogger(buffered, format, color, level)
	seq := output.NewSequencer(eventWindow, output.Observer(events, format))
	// The host's own lines (a plugin failed, the run ends) take their turn
	// among the events, after what the plugins wrote before them.
	log := output.Stamped(output.NewLogger(seq.Writer(buffered), format, color, level))
	exe, err := os.Executable()
	if err != nil {
		log.Error().Err(err).Msg("cannot find the socklab executable for the builtin plugins")
		seq.Close()
		return exitFailed
	}

	go func() {
		// A second interrupt while stopping ends the host at once; the
		// plugins die with it (see launch.Start).
		<-ctx.Done()
		again := make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
		<-again
		os.Exit(exitInterrupted)
	}()

	name := l.Name
	if name == "" {
		name = l.Path
	}
	log.Info().Str("lab", l.Path).Int64("seed", l.Seed).Msgf("running %s (seed %d, %s; rerun with --seed %d)", name, l.Seed, l.SeedOrigin, l.Seed)
	observe := seq.Add
	var pictures *pages
	if cfg.html != "" || cfg.ui.set {
		if pictures, err = startPages(l, cfg, log); err != nil {
			log.Error().Err(err).Msg("cannot serve the page")
			seq.Close()
			return exitFailed
		}
		observe = func(ev run.Event) {
			seq.Add(ev)
			pictures.rec.Observe(ev)
		}
	}
	res := run.Run(ctx, l, run.Options{
		Builtin: []string{exe, pluginCommand},
		Contain: []string{exe},
		Builder: builder,
		Log:     log,
		Observe: observe,
		Capture: cfg.pcap,
	})
	seq.Close()
	if format == output.JSON {
		output.ReportJSON(log, res)
	} else {
		buffered.Flush()
		output.Report(stdout, res)
	}
	if pictures != nil {
		// The page is written, and a live one served, until interrupted.
		if err := pictures.finish(ctx, res, log); err != nil {
			log.Error().Err(err).Msg("cannot write the page")
			return exitFailed
		}
	}
	switch {
	case !res.OK():
		return exitFailed
	case res.Interrupted && len(l.Clients()) > 0:
		return exitInterrupted
	}
	return exitOK
}
