package run

import (
	"slices"
	"testing"

	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/proto/roles"
)

func TestSharedProcessPreparesServersFirst(t *testing.T) {
	var s sharing
	join := func(r roles.Role) *sharedProcess {
		return s.join(launch.Options{Role: r.Name}, r.Side == roles.Server)
	}
	first := join(roles.PingClient())
	for _, r := range []roles.Role{roles.PingServer(), roles.HeartbeatClient(), roles.HeartbeatServer(), roles.PingClient()} {
		join(r)
	}
	want := []string{roles.PingServer().Name, roles.HeartbeatServer().Name, roles.PingClient().Name, roles.HeartbeatClient().Name}
	if got := first.order(); !slices.Equal(got, want) {
		t.Errorf("first process prepares %v, want %v", got, want)
	}
	// A second ping client needs a process of its own.
	if len(s.procs) != 2 || !slices.Equal(s.procs[1].order(), []string{roles.PingClient().Name}) {
		t.Errorf("processes: %d, second prepares %v", len(s.procs), s.procs[len(s.procs)-1].order())
	}
}
