package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socklab/socklab/internal/goplugin"
)

func faultPlugin(t *testing.T, name string) string {
	return fmt.Sprintf("plugin {\n    go = %q\n    start_timeout = \"2s\"\n  }", filepath.Join(repoRoot(t), "host/testdata/plugins", name))
}

// TestFaults runs labs with broken plugins: each is reported by component
// name with its cause, the other components are shut down, and (checked
// in cleanup) no process is left behind.
func TestFaults(t *testing.T) {
	tests := []struct {
		name           string
		server, client string
		failed         string // the component that must fail
		want           []string
	}{
		{"prints to stdout before the handshake", faultPlugin(t, "junk-stdout"), "", "server",
			[]string{`printed "hello from a plugin that prints too early" on stdout before the plugin handshake`}},
		{"hangs at start", faultPlugin(t, "hang-start"), "", "server",
			[]string{"did not complete the plugin handshake within 2s"}},
		{"crashes mid-run", "", faultPlugin(t, "crash"), "client",
			[]string{"lost the plugin mid-run", "exit status 2", "panic: runtime error: index out of range"}},
		{"server exits early", faultPlugin(t, "exit-early"), "", "server",
			[]string{"ended its Run", "a server runs until the host stops it"}},
		{"ignores stop", faultPlugin(t, "ignore-stop"), "", "server",
			[]string{"did not stop within 3s of being asked"}},
		{"speaks another protocol version", faultPlugin(t, "wrong-version"), "", "server",
			[]string{fmt.Sprintf("speaks socklab plugin protocol %d but this host speaks %d", goplugin.ProtocolVersion+1, goplugin.ProtocolVersion)}},
		{"run returns an error", "", faultPlugin(t, "run-error"), "client",
			[]string{"no route to the server: I gave up"}},
		{"implements another role", "", goPlugin(t, "examples/ping-server"), "client",
			[]string{"does not implement the ping_client role"}},
		{"not a plugin: talks", commandPlugin("sh", "-c", "echo I am not a plugin; sleep 30"), "", "server",
			[]string{`printed "I am not a plugin" on stdout before the plugin handshake`}},
		{"not a plugin: silent", commandPlugin("true"), "", "server",
			[]string{"plugin handshake"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runHost(t, pingLab(tt.server, tt.client, 3))
			if r.exit != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
			res := r.result(t, tt.failed)
			msg, _ := res["error"].(string)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s's error lacks %q:\n%s", tt.failed, w, msg)
				}
			}
			if res["ok"] != false {
				t.Errorf("%s reported ok", tt.failed)
			}
		})
	}
}

// TestInterruptStopsEverything sends SIGTERM (as Ctrl-C would SIGINT)
// mid-run: components stop in order with their summaries, exit 130.
func TestInterruptStopsEverything(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			h := startHost(t, pingLab("", goPlugin(t, "examples/ping-client"), 1000), "--json")
			h.await(t, func(l map[string]any) bool { return l["component"] == "client" && l["kind"] == "sent" })
			if err := h.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			r := h.wait(t)
			if r.exit != 130 {
				t.Fatalf("exit %d, want 130\n%s", r.exit, r.stderr)
			}
			for _, c := range []string{"server", "client"} {
				if res := r.result(t, c); res["ok"] != true || res["summary"] == nil {
					t.Errorf("%s after interrupt: %v", c, res)
				}
			}
		})
	}
}

// TestHostKilledLeavesNoPlugins kills the host with SIGKILL, which it
// cannot catch: its plugins must notice and go (checked in cleanup).
func TestHostKilledLeavesNoPlugins(t *testing.T) {
	for _, c := range []struct {
		name           string
		server, client string
		processes      int // the host and its plugins
	}{
		// Each Go plugin under its own contain: the host, two contains and
		// two plugins.
		{"go plugins", goPlugin(t, "examples/ping-server"), goPlugin(t, "examples/ping-client"), 5},
		// The builtin plugin is not contained: its parent-death signal alone
		// must end it.
		{"builtin plugin", "", "", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := startHost(t, pingLab(c.server, c.client, 1000), "--json")
			h.await(t, func(l map[string]any) bool { return l["component"] == "client" && l["kind"] == "sent" })
			if n := len(processesMarked(h.mark)); n != c.processes {
				t.Fatalf("%d processes before the kill, want %d", n, c.processes)
			}
			if err := h.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			assertNoProcessesLeft(t, h.mark)
			t.Logf("plugins gone %v after the host was killed", time.Since(start).Round(time.Millisecond))
		})
	}
}
