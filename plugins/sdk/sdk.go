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

func (p Plugins) set() plugin.PluginSet {
	set := plugin.PluginSet{}
	add := func(name string, register func(*grpc.Server)) {
		set[name] = &goplugin.GRPCPlugin{Register: register}
	}
	if p.PingServer != nil {
		add(roles.PingServer().Name, registerPingServer(p.PingServer))
	}
	if p.PingClient != nil {
		add(roles.PingClient().Name, registerPingClient(p.PingClient))
	}
	if p.HeartbeatServer != nil {
		add(roles.HeartbeatServer().Name, registerHeartbeatServer(p.HeartbeatServer))
	}
	if p.HeartbeatClient != nil {
		add(roles.HeartbeatClient().Name, registerHeartbeatClient(p.HeartbeatClient))
	}
	if p.WebServer != nil {
		add(roles.WebServer().Name, registerWebServer(p.WebServer))
	}
	if p.WebClient != nil {
		add(roles.WebClient().Name, registerWebClient(p.WebClient))
	}
	for _, r := range p.Roles {
		add(r.name, r.register)
	}
	return set
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
	set := p.set()
	if len(set) == 0 {
		fmt.Fprintln(os.Stderr, "socklab plugin: sdk.Serve was given no role to serve")
		os.Exit(1)
	}
	go exitWhenOrphaned(os.Getppid(), parentPollInterval)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: goplugin.Handshake(),
		Plugins:         set,
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       "plugin",
			Level:      hclog.Warn,
			Output:     os.Stderr,
			JSONFormat: true,
		}),
	})
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
