//go:build unix

package sdk

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socklab/socklab/internal/goplugin"
)

// TestPluginExitsWhenOrphaned starts a plugin under a shell, kills the
// shell with SIGKILL, and expects the plugin to notice and exit: the
// host-killed case, without the parent-death signal the host also sets.
func TestPluginExitsWhenOrphaned(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sh := exec.Command("sh", "-c", `"$0" & echo $!; sleep 60`, self)
	sh.Env = append(os.Environ(), beAPlugin+"=1", goplugin.MagicCookieKey+"="+goplugin.MagicCookieValue, "PLUGIN_PROTOCOL_VERSIONS="+strconv.Itoa(goplugin.ProtocolVersion))
	out, err := sh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatal("no pid from the shell")
	}
	pid, err := strconv.Atoi(strings.TrimSpace(lines.Text()))
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), fmt.Sprintf("1|%d|", goplugin.ProtocolVersion)) {
		t.Fatalf("no handshake from the plugin: %q", lines.Text())
	}
	if err := sh.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	sh.Wait()
	deadline := time.Now().Add(10 * time.Second) // a failure guard, not a speed claim
	for syscall.Kill(pid, 0) == nil && !isZombie(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("plugin %d still running 10s after its parent died", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func isZombie(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && strings.Contains(string(stat), ") Z ")
}
