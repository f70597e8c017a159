package main

// The assignment kit of examples/kit: skeletons a student completes.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kitRoles are the kit's directories and the roles they play.
var kitRoles = map[string]string{
	"ping-client": "ping_client", "ping-server": "ping_server",
	"heartbeat-client": "heartbeat_client", "heartbeat-server": "heartbeat_server",
	"web-server": "web_server", "web-client": "web_client",
}

// TestKitSkeletons: each skeleton has its gaps, each a "Fill in start"
// followed by its "Fill in end", compiles as handed out, and its lab file
// is valid.
func TestKitSkeletons(t *testing.T) {
	root := filepath.Join(repoRoot(t), "examples/kit")
	for dir := range kitRoles {
		t.Run(dir, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, dir, "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			open, gaps := false, 0
			for i, line := range strings.Split(string(src), "\n") {
				switch strings.TrimSpace(line) {
				case "// Fill in start":
					if open {
						t.Errorf("main.go:%d: a gap starts inside another", i+1)
					}
					open = true
				case "// Fill in end":
					if !open {
						t.Errorf("main.go:%d: a gap ends that never started", i+1)
					}
					open = false
					gaps++
				}
			}
			if gaps == 0 || open {
				t.Errorf("%d gaps, one left open: %v", gaps, open)
			}
			build := exec.Command("go", "build", "-o", os.DevNull, ".")
			build.Dir = filepath.Join(root, dir)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("the skeleton does not compile as handed out: %v\n%s", err, out)
			}
			r := startHostIn(t, "", nil, "validate", filepath.Join(root, dir, "lab.hcl")).wait(t)
			if r.exit != 0 {
				t.Errorf("its lab.hcl: exit %d\n%s", r.exit, r.stderr)
			}
		})
	}
}

// TestKitSkeletonIsGradedAsUnfinished: checking a skeleton as handed out
// is a failing grade with the reason, not a crash of the grader.
func TestKitSkeletonIsGradedAsUnfinished(t *testing.T) {
	reports := t.TempDir()
	dir := filepath.Join(repoRoot(t), "examples/kit/ping-client")
	r := startHostIn(t, "", nil, "check", "--role", "ping_client", "--report", reports, dir).waitLong(t)
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	report := readReport(t, reports)
	expectFailures(t, report, map[string]string{"ping-client": "clean late_replies lossy rtt slow_replies"})
	if !strings.Contains(r.stdout, "there is no socket yet: fill in the gap that creates it") {
		t.Errorf("the reason is not shown:\n%s", r.stdout)
	}
}

// TestKitSkeletonsRunAsFailures: running a skeleton as handed out ends in
// failure, exit 1, with the reason: a component that does nothing is not
// "ok", and a reference client whose server never started is "not run".
func TestKitSkeletonsRunAsFailures(t *testing.T) {
	root := filepath.Join(repoRoot(t), "examples/kit")
	tests := []struct {
		dir, student, reference string // what each should show, "status: reason"
	}{
		{"ping-client", "failed: Run failed: there is no socket yet", "ok: "},
		{"ping-server", "failed: Run failed: there is no socket yet", "not_run: not run: ping_server.student failed first"},
		{"heartbeat-client", "failed: sent no heartbeat", "ok: "},
		{"heartbeat-server", "failed: its Summary says no heartbeat, but its clients' links delivered", "ok: "},
		{"web-client", "failed: 2 of its fetches got no response", "ok: "},
		{"web-server", "failed: Run failed: there is no server socket yet", "not_run: not run: web_server.student failed first"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			r := startHostIn(t, "", nil, "run", "--json", filepath.Join(root, tt.dir)).wait(t)
			if r.exit != 1 {
				t.Errorf("exit %d, want 1\n%s", r.exit, r.stderr)
			}
			for name, want := range map[string]string{"student": tt.student, "reference": tt.reference} {
				c := r.result(t, name)
				errText, _ := c["error"].(string)
				got := fmt.Sprintf("%v: %s", c["status"], errText)
				if !strings.HasPrefix(got, want) || (c["ok"] == true) != strings.HasPrefix(want, "ok") {
					t.Errorf("%s: %q (ok %v), want %q...", name, got, c["ok"], want)
				}
			}
		})
	}
}

// TestLabMistakesCaughtBeforeRunning: an empty lab and a client pointed at
// a server of another role are diagnostics (exit 2), not runs.
func TestLabMistakesCaughtBeforeRunning(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", "lab.hcl:1:1: error: No components"},
		{"only a lab block", "lab {\n  name = \"nothing\"\n}\n", "lab.hcl:1:1: error: No components"},
		{"wrong role", "web_server \"web\" {\n  listen = \"127.0.0.1:0\"\n}\nping_client \"c\" {\n  server = web_server.web.address\n}\n",
			"lab.hcl:5:12: error: Reference to a server of another role"},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"validate", "run"} {
			t.Run(tt.name+"/"+cmd, func(t *testing.T) {
				r := startHostIn(t, "", nil, cmd, writeLab(t, tt.src)).wait(t)
				if r.exit != 2 || !strings.Contains(r.stderr, tt.want) {
					t.Errorf("exit %d, want 2 and %q in:\n%s%s", r.exit, tt.want, r.stdout, r.stderr)
				}
			})
		}
	}
}

// TestServerThatCannotBindLeavesItsClientNotRun: a server whose port is
// taken fails, and its client is "not run" with that cause, not "ok".
func TestServerThatCannotBindLeavesItsClientNotRun(t *testing.T) {
	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	r := runHost(t, fmt.Sprintf(`
ping_server "server" {
  listen = %q
}
ping_client "client" {
  server = ping_server.server.address
  count  = 2
}
`, taken.LocalAddr()))
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.exit, r.stderr)
	}
	server, client := r.result(t, "server"), r.result(t, "client")
	if server["status"] != "failed" || !strings.Contains(fmt.Sprint(server["error"]), "address already in use") {
		t.Errorf("server %v", server)
	}
	if client["status"] != "not_run" || client["ok"] != false || client["error"] != "not run: ping_server.server failed first" {
		t.Errorf("client %v", client)
	}
}
