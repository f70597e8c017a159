package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/socklab/socklab/internal/tooltest"
)

// linkDrops returns the payloads a client's link dropped, by direction.
func linkDrops(r hostRun, component string) map[string][]string {
	drops := map[string][]string{}
	for _, ev := range r.events(component, "link") {
		l := ev["link"].(map[string]any)
		if strings.Contains(l["fate"].(string), "dropped") {
			drops[l["dir"].(string)] = append(drops[l["dir"].(string)], ev["message"].(string))
		}
	}
	return drops
}

// TestPingThroughALossyLink: every ping the client reports lost is one the
// link dropped (one way or the other), and no other.
func TestPingThroughALossyLink(t *testing.T) {
	lab := `
ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0
}
ping_client "client" {
  server  = ping_server.server.address
  count   = 30
  timeout = "300ms"
  link {
    loss = 0.2
  }
}
`
	r := runHost(t, lab, "--seed", "99", "-v")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	lost := map[int]bool{}
	for _, dir := range []string{"to-server", "to-client"} {
		for _, msg := range linkDrops(r, "client")[dir] {
			var seq int
			if _, err := fmt.Sscanf(strings.ToLower(msg[strings.Index(msg, `"`)+1:]), "ping %d", &seq); err != nil {
				t.Fatalf("cannot read %q: %v", msg, err)
			}
			lost[seq] = true
		}
	}
	var timedOut []int
	for _, ev := range r.events("client", "timeout") {
		timedOut = append(timedOut, int(ev["event"].(map[string]any)["seq"].(float64)))
	}
	var dropped []int
	for seq := range lost {
		dropped = append(dropped, seq)
	}
	sort.Ints(dropped)
	if len(dropped) == 0 || fmt.Sprint(dropped) != fmt.Sprint(timedOut) {
		t.Fatalf("link dropped pings %v, client timed out %v", dropped, timedOut)
	}
	link := r.result(t, "client")["link"].(map[string]any)
	toServer := link["to_server"].(map[string]any)
	if toServer["packets"] != float64(30) || toServer["dropped"] == float64(0) {
		t.Fatalf("link summary %v", link)
	}
}

// TestHeartbeatServerSeesExactlyTheLinkDrops: the server's lost seqs are
// the heartbeats the link dropped.
func TestHeartbeatServerSeesExactlyTheLinkDrops(t *testing.T) {
	lab := `
heartbeat_server "monitor" {
  listen         = "127.0.0.1:0"
  reorder_window = "100ms"
}
heartbeat_client "beat" {
  server    = heartbeat_server.monitor.address
  interval  = "20ms"
  count     = 60
  client_id = "beat"
  link {
    loss = 0.15
  }
}
`
	r := runHost(t, lab, "--seed", "7", "-v")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	var dropped []int
	for _, msg := range linkDrops(r, "beat")["to-server"] {
		var seq int
		fmt.Sscanf(msg[strings.Index(msg, `"`)+1:], "Heartbeat %d", &seq)
		dropped = append(dropped, seq)
	}
	var lost []int
	for _, ev := range r.events("monitor", "lost") {
		e := ev["event"].(map[string]any)
		first, last := int(e["first_seq"].(float64)), int(e["last_seq"].(float64))
		for s := first; s <= last; s++ {
			lost = append(lost, s)
		}
	}
	sort.Ints(lost)
	if len(dropped) == 0 || fmt.Sprint(dropped) != fmt.Sprint(lost) {
		t.Fatalf("link dropped %v, server reported lost %v", dropped, lost)
	}
}

// TestCaptureOpensInTshark writes a pcap of a lossy ping lab and reads it
// back with tshark: both sides of the link, dropped pings only on the
// client's side, and the payloads.
func TestCaptureOpensInTshark(t *testing.T) {
	tshark := tooltest.Need(t, "tshark")
	pcap := filepath.Join(t.TempDir(), "lab.pcap")
	lab := `
ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0
}
ping_client "client" {
  server  = ping_server.server.address
  count   = 10
  timeout = "200ms"
  link {
    to_server {
      loss = 0.3
    }
  }
}
`
	r := runHost(t, lab, "--seed", "5", "--pcap", pcap, "-v")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	drops := len(linkDrops(r, "client")["to-server"])
	// Run as root in a network namespace, the capture holds the kernel's
	// packets, and a copy of each dropped one on the link's decisions
	// interface; the synthesized capture has no such interface.
	out, err := exec.Command(tshark, "-r", pcap, "-Y", `!(frame.interface_name contains "decisions")`,
		"-T", "fields", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "data.text", "-o", "data.show_as_text:TRUE").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	// Each delivered ping shows twice (client side, server side), and so does
	// its reply; a dropped ping only once, on the client's side.
	if want := 10*2 - drops + (10-drops)*2; len(lines) != want || drops == 0 {
		t.Fatalf("%d packets in the capture, want %d (%d dropped):\n%s", len(lines), want, drops, out)
	}
	if !strings.Contains(string(out), "Ping 1 ") || !strings.Contains(string(out), "PING 10 ") {
		t.Fatalf("payloads missing:\n%s", out)
	}
}
