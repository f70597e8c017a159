// Package ping judges the Pinger's roles: a client by the datagrams its
// link carried and dropped against what it said of each ping, a server by
// what it echoed of the datagrams its link delivered and by raw probes.
package ping

import (
	"embed"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

//go:embed suites/*.hcl
var suites embed.FS

func builtinSuite(r roles.Role) []byte { return judge.BuiltinSuite(suites, r) }

// Client grades the ping client. A plain one that never ends has done
// enough once its count of pings went out and their timeout passed, or
// when it has been silent for three timeouts (blocked on a lost reply).
func Client() judge.Grader {
	return judge.Grader{Role: roles.PingClient(), Checks: clientChecks(), Suite: builtinSuite(roles.PingClient()),
		Enough: func(config proto.Message) judge.Enough {
			cfg, _ := config.(*pb.PingClientConfig)
			timeout := cfg.GetTimeout().AsDuration()
			return judge.Enough{Count: int(cfg.GetCount()), Grace: timeout + 1500*time.Millisecond, Idle: 3*timeout + 2*time.Second}
		}}
}

// Server grades the ping server.
func Server() judge.Grader {
	return judge.Grader{Role: roles.PingServer(), Checks: serverChecks(), Suite: builtinSuite(roles.PingServer())}
}
