package run

import (
	"testing"

	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/proto/roles"
)

func TestSharedProcessTakesOneComponentPerRole(t *testing.T) {
	var s sharing
	join := func(r roles.Role) *sharedProcess { return s.join(launch.Options{Role: r.Name}) }
	first := join(roles.PingClient())
	for _, r := range []roles.Role{roles.PingServer(), roles.HeartbeatClient(), roles.HeartbeatServer()} {
		if p := join(r); p != first {
			t.Errorf("%s got a process of its own; want the first one's", r.Name)
		}
	}
	// A second ping client needs a process of its own.
	if second := join(roles.PingClient()); second == first || len(s.procs) != 2 || first.users != 4 || second.users != 1 {
		t.Errorf("processes: %d (users %d and %d), want 2 (4 and 1)", len(s.procs), first.users, s.procs[len(s.procs)-1].users)
	}
}
