// Package sdk is what a Go plugin author imports to write a socklab
// component: one type with the socket logic of a role, and a main that
// serves it.
//
//	type client struct{}
//
//	func (client) Run(ctx context.Context, cfg *pb.PingClientConfig, out *sdk.PingClientEvents) error {
//		// open a UDP socket, send cfg.Count pings to cfg.Server, report with out.Sent, out.Reply, ...
//	}
//
//	func main() {
//		sdk.ServePingClient(client{})
//	}
//
// The go-plugin handshake, the gRPC service, event streaming, Stop, and
// exiting when the host is gone are all done here. Write logs to stderr or
// with out.Logf; never print to stdout before calling a Serve function.
package sdk

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/socklab/socklab/internal/goplugin"
	"github.com/socklab/socklab/proto/roles"
)

// Plugins holds the roles a plugin program implements; leave the others nil.
// Most plugins implement one role and call that role's Serve function.
type Plugins struct {
	PingServer      PingServer
	PingClient      PingClient
	HeartbeatServer HeartbeatServer
	HeartbeatClient HeartbeatClient
	WebServer       WebServer
	WebClient       WebClient
	// Roles are roles this SDK has no typed interface for (NewRole).
	Roles []Role
}

// served is what Serve has of the roles it serves, by role name.
type served struct {
	set   plugin.PluginSet      // go-plugin's
	early map[string]earlyStart // what starts each before its Run call
}

// served returns what Serve needs of p's roles.
func (p Plugins) served() served {
	s := served{set: plugin.PluginSet{}, early: map[string]earlyStart{}}
	add := func(name string, r registration) {
		s.set[name] = &goplugin.GRPCPlugin{Register: r.register}
		s.early[name] = r.early
	}
	addRole := func(role roles.Role, r registration) { add(role.Name, r) }
	if p.PingServer != nil {
		addRole(roles.PingServer(), registerPingServer(p.PingServer))
	}
	if p.PingClient != nil {
		addRole(roles.PingClient(), registerPingClient(p.PingClient))
	}
	if p.HeartbeatServer != nil {
		addRole(roles.HeartbeatServer(), registerHeartbeatServer(p.HeartbeatServer))
	}
	if p.HeartbeatClient != nil {
		addRole(roles.HeartbeatClient(), registerHeartbeatClient(p.HeartbeatClient))
	}
	if p.WebServer != nil {
		addRole(roles.WebServer(), registerWebServer(p.WebServer))
	}
	if p.WebClient != nil {
		addRole(roles.WebClient(), registerWebClient(p.WebClient))
	}
	for _, r := range p.Roles {
		add(r.name, r.reg)
	}
	return s
}

// parentPollInterval is how often a plugin checks that its host is alive.
const parentPollInterval = 200 * time.Millisecond

// Serve serves the given roles to the socklab host and returns when the host
// is done with the plugin. Run directly from a shell, it explains what it is
// and exits with status 1.
func Serve(p Plugins) {
	if os.Getenv(goplugin.MagicCookieKey) != goplugin.MagicCookieValue {
		fmt.Fprintf(os.Stderr, "%s is a socklab plugin: the socklab host starts it.\n"+
			"Name it in a lab file, for example:\n"+
			"  plugin {\n    command = [%q]\n  }\n", os.Args[0], os.Args[0])
		os.Exit(1)
	}
	roles := p.served()
	if len(roles.set) == 0 {
		fmt.Fprintln(os.Stderr, "socklab plugin: sdk.Serve was given no role to serve")
		os.Exit(1)
	}
	go exitWhenOrphaned(os.Getppid(), parentPollInterval)
	if os.Getenv(goplugin.OneProcessorEnv) != "" {
		useEveryProcessorAfter(oneProcessorStartup)
	}
	startEarly(roles.early, os.Getenv(goplugin.EarlyEnv))
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: goplugin.Handshake(),
		Plugins:         roles.set,
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return plugin.DefaultGRPCServer(append(opts, grpc.ForceServerCodecV2(goplugin.NewCodec())))
		},
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       "plugin",
			Level:      hclog.Warn,
			Output:     os.Stderr,
			JSONFormat: true,
		}),
	})
}

// oneProcessorStartup is how long a plugin that the host started on one
// processor (goplugin.OneProcessorEnv) keeps to it: the host has a lab of
// builtin plugins going within about 30 ms on a 2-core VM, and the
// references' socket loops then get every processor.
const oneProcessorStartup = 50 * time.Millisecond

// useEveryProcessorAfter gives the process the number of processors the Go
// runtime would have chosen, in place of its environment's GOMAXPROCS,
// once d has passed.
func useEveryProcessorAfter(d time.Duration) {
	time.AfterFunc(d, func() { runtime.SetDefaultGOMAXPROCS() })
}

// exitWhenOrphaned ends the process once its parent, the host, is gone: a
// host killed with SIGKILL cannot stop its plugins itself.
func exitWhenOrphaned(parent int, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		if os.Getppid() != parent {
			fmt.Fprintf(os.Stderr, "socklab plugin: host (pid %d) is gone; exiting\n", parent)
			os.Exit(3)
		}
	}
}
