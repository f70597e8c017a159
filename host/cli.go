package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/sandbox"
)

// A command is one subcommand of socklab: its own flags and what it does
// with them. Adding a flag is a line in its setup; adding a subcommand is
// an entry in commands.
type command struct {
	name string
	// args is the synopsis after the command's name and flags.
	args string
	// summary is the one line in the command list; about, if set, is
	// printed under the command's usage.
	summary, about string
	// setup defines the command's flags on fs and returns what runs it with
	// the arguments left once the flags are parsed: positional are those
	// before "--", rest those after it.
	setup func(fs *flag.FlagSet, io stdio) func(positional, rest []string) int
	// hidden commands are for socklab itself and are not listed.
	hidden bool
}

// stdio is where a command writes.
type stdio struct{ out, err io.Writer }

// commands are socklab's subcommands, in the order help lists them.
func commands() []*command {
	return []*command{
		runCommand(),
		validateCommand(),
		fmtCommand(),
		checkCommand(),
		autograderCommand(),
		versionCommand(),
		{name: pluginCommand, hidden: true, setup: func(*flag.FlagSet, stdio) func([]string, []string) int {
			return func([]string, []string) int { return servePlugins() }
		}},
	}
}

func lookupCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// realMain dispatches: `socklab [COMMAND] [ARGS]`. Without a command, or
// with a lab file or directory first, the command is run.
func realMain(args []string, stdout, stderr io.Writer) int {
	std := stdio{stdout, stderr}
	if len(args) == 0 {
		return invoke(lookupCommand("run"), nil, std)
	}
	switch first := args[0]; first {
	case "help", "-h", "-help", "--help":
		return help(args[1:], std)
	case "-version", "--version":
		return invoke(lookupCommand("version"), args[1:], std)
	case launch.ContainSubcommand:
		// The init around each component of a run (launch.Contain).
		return launch.Contain(args[1:], stderr)
	case sandbox.Subcommand:
		// The supervisor of a sandboxed submission: its arguments are its
		// own (see package sandbox), not flags.
		return sandbox.Main(args[1:], os.Stdin, stdout, stderr)
	default:
		if c := lookupCommand(first); c != nil {
			return invoke(c, args[1:], std)
		}
		if strings.HasPrefix(first, "-") || isPath(first) {
			return invoke(lookupCommand("run"), args, std)
		}
		fmt.Fprintf(stderr, "socklab: %q is neither a command (%s) nor a lab file or directory\n", first, strings.Join(commandNames(), ", "))
		fmt.Fprintln(stderr, "Run 'socklab help' for usage.")
		return exitBadLab
	}
}

// isPath reports whether arg names an existing file or directory, or
// looks like a lab file that the command is to report missing.
func isPath(arg string) bool {
	if _, err := os.Stat(arg); err == nil {
		return true
	}
	return strings.HasSuffix(arg, ".hcl") || strings.ContainsRune(arg, os.PathSeparator)
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		if !c.hidden {
			names = append(names, c.name)
		}
	}
	return names
}

// invoke parses c's flags from args, wherever they are among its
// arguments, and runs it. A flag error is printed once, with a pointer to
// the command's help.
func invoke(c *command, args []string, std stdio) int {
	fs := flag.NewFlagSet("socklab "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := c.setup(fs, std)
	positional, rest, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		commandHelp(std.out, c)
		return exitOK
	case err != nil:
		fmt.Fprintf(std.err, "socklab %s: %v\nRun 'socklab help %s' for its usage.\n", c.name, err, c.name)
		return exitBadLab
	}
	return run(positional, rest)
}

// parseInterspersed parses flags before, between and after positional
// arguments (socklab run lab.hcl --json), up to a "--" after which all is
// returned as rest.
func parseInterspersed(fs *flag.FlagSet, args []string) (positional, rest []string, err error) {
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		if fs.NArg() == 0 {
			return positional, rest, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// help is `socklab help [COMMAND]`: every command with its flags, or one.
func help(args []string, std stdio) int {
	if len(args) > 0 {
		c := lookupCommand(args[0])
		if c == nil || c.hidden {
			fmt.Fprintf(std.err, "socklab help: no command %q (commands: %s)\n", args[0], strings.Join(commandNames(), ", "))
			return exitBadLab
		}
		commandHelp(std.out, c)
		return exitOK
	}
	w := std.out
	fmt.Fprint(w, `socklab runs socket-programming labs: it reads a lab file, starts each
client and server as a plugin (socklab's reference or a student's), runs
them together over real sockets and shows every event.

Usage: socklab [COMMAND] [flags] [ARGS]   (the command is run by default)

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
		}
	}
	tw.Flush()
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintln(w)
			commandUsage(w, c)
		}
	}
	fmt.Fprint(w, `
Flags may come before or after the arguments; "socklab help COMMAND" shows
one command. Exit status: 0 success, 1 a component or check failed, 2 the
lab file or the command line is wrong, 130 interrupted.
`)
	return exitOK
}

// commandHelp is one command's help: usage, description, flags.
func commandHelp(w io.Writer, c *command) {
	commandUsage(w, c)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.about))
	}
}

// commandUsage prints the synopsis and the flags of c.
func commandUsage(w io.Writer, c *command) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.setup(fs, stdio{io.Discard, io.Discard})
	synopsis := "socklab " + c.name
	if hasFlags(fs) {
		synopsis += " [flags]"
	}
	if c.args != "" {
		synopsis += " " + c.args
	}
	fmt.Fprintf(w, "%s\n    %s\n", synopsis, c.summary)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, "(hidden)") {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		if name != "" {
			name = " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" && f.DefValue != "[]" && f.DefValue != "map[]" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  %s%s%s\t%s\n", dash, f.Name, name, usage)
	})
	tw.Flush()
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}
