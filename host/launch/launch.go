// Package launch starts a component's plugin as a process and connects to
// it over go-plugin's gRPC transport. The plugin is the builtin reference
// (the host binary run again with a hidden subcommand), a Go package built
// on demand, or any command. Its output is logged under the component's
// name, its faults are explained in words a student can act on, and it
// never outlives the host.
package launch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/rs/zerolog"
	"google.golang.org/grpc"

	"github.com/socklab/socklab/internal/goplugin"
	"github.com/socklab/socklab/internal/lazy"
)

// MaxEventMessage is the largest message a plugin may send the host:
// gRPC's default, four times the SDKs' batches. It bounds what one
// message costs the host.
const MaxEventMessage = 4 << 20

// Spec says which plugin process to start: a Go package built first (Go),
// a command (Command), or neither, the builtin reference plugin.
type Spec struct {
	// Go is the directory of a Go main package.
	Go string
	// Command is the program and its arguments.
	Command []string
	// WorkDir is where the process runs; Env adds "NAME=value" entries to
	// the host's environment.
	WorkDir string
	Env     []string
	// StartTimeout bounds the handshake.
	StartTimeout time.Duration
}

func (s Spec) String() string {
	switch {
	case s.Go != "":
		return "go " + s.Go
	case len(s.Command) > 0:
		return "command " + strings.Join(s.Command, " ")
	}
	return "builtin"
}

// builtin reports whether s names neither a Go package nor a command: the
// builtin plugin, Options.Builtin.
func (s Spec) builtin() bool { return s.Go == "" && len(s.Command) == 0 }

// Options says which plugin to start for which component.
type Options struct {
	// Component names the component in messages.
	Component string
	// Role is the plugin to dispense, e.g. "ping_client".
	Role string
	// Early are the marshalled settings of roles the process may start
	// before their Run calls, by role (goplugin.EarlyEnv).
	Early map[string][]byte
	Spec  Spec
	// Builtin is the command line that serves the builtin reference roles.
	Builtin []string
	// Builder builds Go source plugins.
	Builder *Builder
	// Output receives each line the plugin writes; nil logs them to Log.
	Output func(Line)
	// Log receives go-plugin's own messages.
	Log zerolog.Logger
	// Contain, if set, is the command line of the host itself: a Go or
	// command plugin is started under its contain subcommand (see
	// Contain). The builtin plugin is not: see containPrefix.
	Contain []string
	// SocketDir, if set, is where the plugin makes its go-plugin socket
	// (see SocketDir).
	SocketDir string
}

// Process is a running plugin.
type Process struct {
	Component string
	PID       int
	// Conn is the gRPC connection to the plugin.
	Conn *grpc.ClientConn

	client    *plugin.Client
	cmd       *exec.Cmd
	out       *output
	contained *contained
}

// Start starts the plugin and completes the handshake. On failure nothing
// is left running, and the error says why in terms of the plugin.
func Start(ctx context.Context, o Options) (*Process, error) {
	argv, err := o.command(ctx)
	if err != nil {
		return nil, err
	}
	// Own process group: a Ctrl-C at the terminal reaches the host only, which
	// then stops the plugins in order. Pdeathsig: killed with the host.
	cmd, cont, statusW, err := containCmd(o.containPrefix(), argv)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: %w", o.Spec, err)
	}
	cmd.Dir = o.Spec.WorkDir
	cmd.Env = o.environ(os.Environ())

	out := newOutput(o.Log, o.Output)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  goplugin.Handshake(),
		VersionedPlugins: map[int]plugin.PluginSet{goplugin.ProtocolVersion: {o.Role: &goplugin.GRPCPlugin{}}},
		Cmd:              cmd,
		SkipHostEnv:      true,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     o.Spec.StartTimeout,
		GRPCDialOptions:  []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxEventMessage))},
		Logger:           out.hclog(),
		Stderr:           out.stream("stderr", true),
		SyncStdout:       out.stream("stdout", false),
		SyncStderr:       out.stream("stderr", false),
	})
	p := &Process{Component: o.Component, client: client, cmd: cmd, out: out, contained: cont}

	type started struct {
		conn *grpc.ClientConn
		err  error
	}
	done := make(chan started, 1)
	go func() {
		conn, err := p.connect(o.Role)
		done <- started{conn, err}
	}()
	// contain alone holds the status pipe's write end once it has started.
	closeStatus := func() {
		if statusW != nil {
			statusW.Close()
		}
	}
	select {
	case s := <-done:
		closeStatus()
		if cmd.Process != nil {
			p.PID = cmd.Process.Pid
		}
		if s.err != nil {
			p.Kill()
			return nil, p.explain(s.err, o)
		}
		p.Conn = s.conn
		return p, nil
	case <-ctx.Done():
		p.Kill()
		<-done
		closeStatus()
		return nil, ctx.Err()
	}
}

func (p *Process) connect(role string) (*grpc.ClientConn, error) {
	rpc, err := p.client.Client()
	if err != nil {
		return nil, err
	}
	raw, err := rpc.Dispense(role)
	if err != nil {
		return nil, err
	}
	return raw.(*grpc.ClientConn), nil
}

// command is the argv that runs the plugin, building Go source first.
func (o Options) command(ctx context.Context) ([]string, error) {
	switch {
	case o.Spec.Go != "":
		bin, err := o.Builder.Build(ctx, o.Spec.Go)
		if err != nil {
			return nil, err
		}
		return []string{bin}, nil
	case len(o.Spec.Command) > 0:
		return o.Spec.Command, nil
	}
	if len(o.Builtin) == 0 {
		return nil, errors.New("no builtin plugin command configured")
	}
	return o.Builtin, nil
}

// environ is the plugin's environment: the host's, the spec's, and what
// the host tells the plugin. The builtin plugin starts on one processor
// (goplugin.OneProcessorEnv): measured with bench/startup, labs of 4
// builtin plugins were ready 4% sooner.
func (o Options) environ(host []string) []string {
	env := append(slices.Clip(host), o.Spec.Env...)
	if o.SocketDir != "" {
		env = append(env, plugin.EnvUnixSocketDir+"="+o.SocketDir)
	}
	env = append(env, goplugin.EarlyEnv+"="+goplugin.EarlyValue(o.Early))
	if o.Spec.builtin() {
		env = goplugin.StartOnOneProcessor(env)
	}
	return env
}

// containPrefix is the contain command line to start the plugin under,
// nil for none. The builtin plugin is the host's own reference code, which
// starts no process: its parent-death signal and process group are all it
// needs, and contain would put a second start of the host's binary before
// its own (on a 2-core VM, a lab of 6 builtin plugins took 2.4x a bare
// go-plugin start under contain).
func (o Options) containPrefix() []string {
	if o.Spec.builtin() {
		return nil
	}
	return o.Contain
}

// Kill ends the plugin: politely (go-plugin closes the connection and waits
// up to 2 s), then with SIGKILL to its whole process group, so that
// anything it started goes too.
func (p *Process) Kill() {
	p.client.Kill()
	if p.PID > 0 {
		_ = syscall.Kill(-p.PID, syscall.SIGKILL)
	}
	if p.client.Exited() {
		p.contained.waitStatus() // and close the pipe
	}
}

// Exited reports whether the plugin process has ended, waiting up to
// wait for it: a broken connection is often the first sign of an exit.
func (p *Process) Exited(wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for !p.client.Exited() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return p.client.Exited()
}

// Diagnosis explains how a plugin that broke off ended: its exit status
// and its last words on stderr. It waits up to wait for the exit.
func (p *Process) Diagnosis(wait time.Duration) string {
	var parts []string
	if p.Exited(wait) && p.cmd.ProcessState != nil {
		parts = append(parts, "process ended: "+p.status())
	} else {
		parts = append(parts, "process still running")
	}
	if last := p.out.lastWords(); last != "" {
		parts = append(parts, "last output: "+last)
	}
	return strings.Join(parts, "; ")
}

// status is how the plugin ended: its own status when contained.
func (p *Process) status() string {
	if ws := p.contained.waitStatus(); ws != nil {
		return describeStatus(*ws)
	}
	return p.cmd.ProcessState.String()
}

// endedBeforeHandshake explains a plugin that ended before the handshake:
// one that failed says how (its output, a traceback for instance, was
// shown as it was written); one that ended quietly may be no plugin.
func (p *Process) endedBeforeHandshake() string {
	diagnosis := p.Diagnosis(time.Second)
	if p.cmd.ProcessState != nil && p.status() == "exit status 0" && p.out.lastWords() == "" {
		return "ended without the plugin handshake: is it a socklab plugin? (" + diagnosis + ")"
	}
	return "ended before the plugin handshake (" + diagnosis + ")"
}

var (
	pluginVersion = lazy.Regexp(`Plugin version: (\d+)`)
	strayStdout   = lazy.Regexp(`Unrecognized remote plugin message: ([^\n]*)`)
)

// explain turns go-plugin's start errors into what happened to the plugin.
func (p *Process) explain(err error, o Options) error {
	msg := err.Error()
	var what string
	switch {
	case strings.Contains(msg, "Unrecognized remote plugin message"):
		line := ""
		if m := strayStdout().FindStringSubmatch(msg); m != nil {
			line = strings.TrimSpace(m[1])
		}
		if line == "" {
			what = p.endedBeforeHandshake()
		} else {
			what = fmt.Sprintf("printed %q on stdout before the plugin handshake: a plugin must not write to stdout before it serves (log to stderr)", line)
		}
	case strings.Contains(strings.ToLower(msg), "incompatible api version"):
		theirs := "?"
		if m := pluginVersion().FindStringSubmatch(msg); m != nil {
			theirs = m[1]
		}
		what = fmt.Sprintf("speaks socklab plugin protocol %s but this host speaks %d: rebuild it against the matching socklab SDK", theirs, goplugin.ProtocolVersion)
	case strings.Contains(msg, "timeout while waiting for plugin to start"):
		what = fmt.Sprintf("did not complete the plugin handshake within %s (start_timeout); it was stopped", o.Spec.StartTimeout)
	case strings.Contains(msg, "plugin exited before we could connect"):
		what = p.endedBeforeHandshake()
	case strings.Contains(msg, "unsupported plugin protocol"):
		what = "speaks go-plugin's net/rpc protocol; socklab plugins speak gRPC"
	default:
		what = msg
	}
	return fmt.Errorf("plugin %s: %s", o.Spec, what)
}
