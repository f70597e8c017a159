package run

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/run/testdata/daytime"
	"github.com/socklab/socklab/host/run/testdata/daytime/daytimepb"
	"github.com/socklab/socklab/proto/roles"
)

// TestRunARoleAddedFromTestdata follows docs/ADDING-A-ROLE.md: the toy
// Daytime lab's roles, defined in test data beside their implementation,
// are registered and a lab file using them runs with real plugin
// processes over a link, with no other change to the host.
func TestRunARoleAddedFromTestdata(t *testing.T) {
	plugin, err := filepath.Abs("testdata/daytime/plugin")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "daytime.hcl")
	src := strings.ReplaceAll(`
daytime_server "server" {
  listen = "127.0.0.1:0"
  plugin {
    go = "PLUGIN"
  }
}
daytime_client "client" {
  server = daytime_server.server.address
  plugin {
    go = "PLUGIN"
  }
}
`, "PLUGIN", plugin)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := roles.Sheet().With(daytime.Server(), daytime.Client())
	if _, diags := lab.Load(path, lab.Options{Roles: roles.Sheet()}); !diags.HasErrors() {
		t.Fatal("the builtin registry knows no daytime role, yet the lab loaded")
	}
	l, diags := lab.Load(path, lab.Options{Roles: reg})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res, rec := runLab(t, context.Background(), l)
	if !res.OK() {
		for _, c := range res.Components {
			t.Errorf("%s: %v", c.Component.Name, c.Err)
		}
		t.Fatalf("run: %v", res.Err)
	}
	server, client := res.Components[0], res.Components[1]
	if sum, ok := client.Summary.(*daytimepb.DaytimeClientSummary); !ok || !sum.Answered {
		t.Errorf("client summary %v", client.Summary)
	}
	if sum, ok := server.Summary.(*daytimepb.DaytimeServerSummary); !ok || sum.Answered != 1 {
		t.Errorf("server summary %v", server.Summary)
	}
	var reply *daytimepb.DaytimeReply
	rec.mu.Lock()
	for _, ev := range rec.events {
		if r, ok := ev.Body.(*daytimepb.DaytimeReply); ok {
			reply = r
		}
	}
	rec.mu.Unlock()
	if reply == nil || !strings.Contains(reply.Daytime, ":") {
		t.Errorf("reply %v", reply)
	}
	// The client went through its link: both datagrams are the link's.
	if client.Link == nil || client.Link.ToServer.Packets != 1 || client.Link.ToClient.Packets != 1 {
		t.Errorf("link %+v", client.Link)
	}
}
