package isolate

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startInNetNamespace starts sleep(1) in a network namespace of its own.
func startInNetNamespace(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Skip("no network namespace here:", err)
	}
	return cmd
}

// TestPinnedNetNamespaceKeepsItsNumber: the kernel gives a freed
// namespace's number to the next one made, so that a scenario's
// namespace, once its processes are gone, may share its name with another
// scenario's; held open, it keeps its number to itself, and killNamespace
// kills nothing of the other's.
func TestPinnedNetNamespaceKeepsItsNumber(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("network namespaces are made as root")
	}
	first := startInNetNamespace(t)
	ns, pin := pinNetNamespace(first.Process.Pid)
	if pin == nil {
		t.Fatal("cannot open the namespace of", first.Process.Pid)
	}
	defer pin.Close()
	if got, _ := netNamespace(first.Process.Pid); got != ns {
		t.Fatalf("pinned %q, the process is in %q", ns, got)
	}
	_ = first.Process.Kill()
	_ = first.Wait()
	// The number is freed once the kernel has cleaned the namespace up,
	// a few milliseconds after its last process: new ones are made for a
	// while.
	for range 50 {
		time.Sleep(5 * time.Millisecond)
		next := startInNetNamespace(t)
		got, _ := netNamespace(next.Process.Pid)
		if got == ns {
			killed := killNamespace(ns)
			t.Errorf("a new namespace took the held one's name %s; killNamespace killed %d of its processes", ns, killed)
		}
		_ = next.Process.Kill()
		_ = next.Wait()
	}
}

// TestUserNamespaceMapsNobody: as root, a child check's user namespace
// maps nobody as well as root, so that the sandbox drops the program to
// nobody rather than leaving it the namespace's root, which is the host's.
func TestUserNamespaceMapsNobody(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("the user namespace maps nobody when root makes it")
	}
	cmd := exec.Command("cat", "/proc/self/uid_map", "/proc/self/gid_map")
	cmd.SysProcAttr = UserNS.SysProcAttr()
	out, err := cmd.Output()
	if err != nil {
		t.Skip("no user namespace here:", err)
	}
	maps := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		maps[strings.Join(strings.Fields(line), " ")]++
	}
	if maps["65534 65534 1"] != 2 || maps["0 0 1"] != 2 {
		t.Errorf("uid and gid maps:\n%s\nwant 0 and 65534 mapped to themselves in each", out)
	}
}
