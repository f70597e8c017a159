// Command socklab runs socket-programming labs: it reads a lab file, starts
// each client and server as a plugin process (socklab's reference or a
// student's), runs them together over real sockets and reports what
// happened.
//
//	socklab [run] [flags] [LAB]     run a lab (default lab.hcl)
//	socklab validate [flags] LAB    check a lab file without running it
//	socklab check --role ROLE ...   grade components against the role's suite
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/output"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/plugins/reference"
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

func realMain(args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") && !strings.HasSuffix(args[0], ".hcl") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case pluginCommand:
		sdk.Serve(reference.Plugins())
		return exitOK
	case "run", "validate":
		return runOrValidate(cmd, args, stdout, stderr)
	case "check":
		return runCheck(args, stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "socklab: unknown command %q\n", cmd)
	usage(stderr)
	return exitBadLab
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  socklab [run] [flags] [LAB]     run a lab file (default lab.hcl)
  socklab validate [flags] LAB    check a lab file without running it
  socklab check --role ROLE COMPONENT...
                                  grade components against the role's suite
                                  (socklab check -h for its flags)

flags:
  --var NAME=VALUE   set a variable of the lab file (repeatable)
  --seed N           seed every random choice (default: the lab's, else random)
  --json             write JSON lines instead of text
  --pcap FILE        write the lab's traffic to FILE (Wireshark, tshark)
  -v                 show debugging detail (plugin start-up, go-plugin)
`)
}

type varFlags map[string]string

func (v varFlags) String() string { return fmt.Sprint(map[string]string(v)) }

func (v varFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return errors.New("want NAME=VALUE")
	}
	v[name] = value
	return nil
}

type config struct {
	lab     string
	opts    lab.Options
	json    bool
	verbose bool
	pcap    string
}

func parseFlags(cmd string, args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("socklab "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{lab: "lab.hcl"}
	vars := varFlags{}
	fs.Var(vars, "var", "set a lab variable, NAME=VALUE")
	seed := fs.Int64("seed", 0, "seed for every random choice")
	fs.BoolVar(&cfg.json, "json", false, "write JSON lines")
	fs.BoolVar(&cfg.verbose, "v", false, "show debugging detail")
	fs.StringVar(&cfg.pcap, "pcap", "", "write the lab's traffic to this pcap file")
	// Accept flags after the lab file too: socklab run lab.hcl --json.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) > 1 {
		return nil, fmt.Errorf("one lab file at a time, got %s", strings.Join(positional, " "))
	}
	if len(positional) == 1 {
		cfg.lab = positional[0]
	}
	cfg.opts.Vars = vars
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			cfg.opts.Seed = seed
		}
	})
	return cfg, nil
}

func runOrValidate(cmd string, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(cmd, args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "socklab %s: %v\n", cmd, err)
		}
		return exitBadLab
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, diags := lab.Load(cfg.lab, cfg.opts)
	builder := &launch.Builder{Dir: launch.DefaultCacheDir()}
	if !diags.HasErrors() {
		diags = append(diags, buildGoPlugins(ctx, l, builder)...)
	}
	if ctx.Err() != nil {
		return exitInterrupted
	}
	if len(diags) > 0 {
		lab.WriteDiagnostics(stderr, diags, l.Files())
	}
	if diags.HasErrors() {
		return exitBadLab
	}
	if cmd == "validate" {
		describeLab(stdout, l)
		return exitOK
	}
	return runLab(ctx, l, builder, cfg, stdout)
}

// buildGoPlugins builds every Go source plugin up front, so that a
// compile error is shown against the lab file before anything runs.
func buildGoPlugins(ctx context.Context, l *lab.Lab, b *launch.Builder) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range l.Components {
		if c.Plugin.Kind != lab.GoSource {
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
		fmt.Fprintf(w, "  %-28s %s\n", "", output.Describe(c.Role.Name, "settings", c.Config))
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
	log := output.Stamped(events)
	exe, err := os.Executable()
	if err != nil {
		log.Error().Err(err).Msg("cannot find the socklab executable for the builtin plugins")
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
	seq := output.NewSequencer(eventWindow, output.Observer(events, format))
	res := run.Run(ctx, l, run.Options{
		Builtin: []string{exe, pluginCommand},
		Builder: builder,
		Log:     log,
		Observe: seq.Add,
		Capture: cfg.pcap,
	})
	seq.Close()
	if format == output.JSON {
		output.ReportJSON(log, res)
	} else {
		buffered.Flush()
		output.Report(stdout, res)
	}
	switch {
	case !res.OK():
		return exitFailed
	case res.Interrupted && len(l.Clients()) > 0:
		return exitInterrupted
	}
	return exitOK
}
