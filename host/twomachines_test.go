package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/socklab/socklab/internal/tooltest"
)

// TestTwoMachines runs README's two-machine recipe: the server lab of
// examples/remote-server.hcl in one network namespace, listening on all
// interfaces, and examples/remote-client.hcl in another, the two joined by
// a veth pair with private addresses, each namespace its own socklab.
func TestTwoMachines(t *testing.T) {
	ip := tooltest.Need(t, "ip")
	if os.Geteuid() != 0 {
		if os.Getenv(tooltest.RequireEnv) != "" {
			t.Fatal("network namespaces need root")
		}
		t.Skip("network namespaces need root")
	}
	net := rand.IntN(200) + 20
	serverAddr, clientAddr := fmt.Sprintf("10.%d.7.1", net), fmt.Sprintf("10.%d.7.2", net)
	server, client := machine(t, ip, "srv"), machine(t, ip, "cli")
	veth := fmt.Sprintf("slv%d", os.Getpid()%100000)
	cmd(t, ip, "link", "add", veth+"a", "netns", server, "type", "veth", "peer", "name", veth+"b", "netns", client)
	for _, m := range []struct{ ns, dev, addr string }{{server, veth + "a", serverAddr}, {client, veth + "b", clientAddr}} {
		cmd(t, ip, "-n", m.ns, "addr", "add", m.addr+"/24", "dev", m.dev)
		cmd(t, ip, "-n", m.ns, "link", "set", m.dev, "up")
	}

	examples := filepath.Join(repoRoot(t), "examples")
	srv := startHostVia(t, []string{ip, "netns", "exec", server}, "", nil,
		"run", "--json", "--seed", "3", filepath.Join(examples, "remote-server.hcl"))
	srv.await(t, func(l map[string]any) bool { return l["kind"] == "ready" })

	r := startHostVia(t, []string{ip, "netns", "exec", client}, "", nil,
		"run", filepath.Join(examples, "remote-client.hcl"), "--json", "--var", "server="+serverAddr+":12000").wait(t)
	if r.exit != 0 {
		t.Fatalf("client: exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	replies := r.events("client", "reply")
	if len(replies) == 0 || len(r.events("client", "sent")) != 10 {
		t.Fatalf("client: %d replies to %d pings\n%s", len(replies), len(r.events("client", "sent")), r.stdout)
	}

	if err := srv.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	s := srv.wait(t)
	echoes := s.events("server", "echo")
	if len(echoes) != len(replies) {
		t.Fatalf("server echoed %d, client got %d replies\n%s", len(echoes), len(replies), s.stdout)
	}
	for _, e := range echoes {
		// 0.0.0.0 is bound dual-stack: the peer may be 10.x or [::ffff:10.x].
		if peer := pythonField(e, "peer"); !strings.Contains(peer, clientAddr+":") && !strings.Contains(peer, clientAddr+"]:") {
			t.Fatalf("server echoed to %s, not the client machine %s\n%s", peer, clientAddr, s.stdout)
		}
	}
}

// machine makes a network namespace with its loopback up, removed at the
// end of the test (with its end of the veth pair).
func machine(t *testing.T, ip, role string) string {
	t.Helper()
	name := fmt.Sprintf("socklab-%s-%d-%d", role, os.Getpid(), rand.IntN(1e6))
	cmd(t, ip, "netns", "add", name)
	t.Cleanup(func() { _ = exec.Command(ip, "netns", "delete", name).Run() })
	cmd(t, ip, "-n", name, "link", "set", "lo", "up")
	return name
}

func cmd(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
