// Package heartbeat judges the Heartbeat's roles: a server by the
// heartbeats its clients' links dropped and delivered and the silences
// between them, a client by the datagrams on its link.
package heartbeat

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

// Client grades the heartbeat client. A plain one, naturally endless, has
// done enough shortly after its count of heartbeats went out.
func Client() judge.Grader {
	return judge.Grader{Role: roles.HeartbeatClient(), Checks: clientChecks(), Suite: builtinSuite(roles.HeartbeatClient()),
		Enough: func(config proto.Message) judge.Enough {
			cfg, _ := config.(*pb.HeartbeatClientConfig)
			return judge.Enough{Count: int(cfg.GetCount()), Grace: 1500 * time.Millisecond}
		}}
}

// Server grades the heartbeat server.
func Server() judge.Grader {
	return judge.Grader{Role: roles.HeartbeatServer(), Checks: serverChecks(), Suite: builtinSuite(roles.HeartbeatServer())}
}
