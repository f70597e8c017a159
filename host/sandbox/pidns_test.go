package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lastPidEnv, in the test binary's environment, makes it PID 1 of a new
// PID namespace (as the host's contain is) that sets the namespace's
// last pid to the value, then runs itself with its arguments.
const lastPidEnv = "SOCKLAB_SANDBOX_TEST_LAST_PID"

// pidNamespaceInit is the test binary as that PID 1.
func pidNamespaceInit(last string, argv []string) int {
	os.Unsetenv(lastPidEnv)
	if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(last), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "setting the last pid:", err)
		return 125
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	var ee *exec.ExitError
	if err := cmd.Run(); errors.As(err, &ee) {
		return ee.ExitCode()
	} else if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 125
	}
	return 0
}

// freePids finds n consecutive pids that no process of /proc holds,
// below the last one given out (so that the host gives none of them out
// before its pids wrap around).
func freePids(t *testing.T, n int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
	if err != nil {
		t.Skip("no ns_last_pid here:", err)
	}
	last, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	used := map[int]bool{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			used[pid] = true
		}
	}
	for start := 300; start+n < last; start += n {
		free := true
		for p := start; p < start+n && free; p++ {
			free = !used[p]
		}
		if free {
			return start
		}
	}
	t.Skipf("no %d free pids below %d", n, last)
	return 0
}

// TestSandboxInAPIDNamespaceOfItsOwn: a component runs in a PID namespace
// of its own whose /proc is the host's. Bubblewrap, looking up its child
// there by the pid clone gave it, found another process or none: with
// none it failed and left its child waiting, which held the output open,
// and the supervisor waited for ever. Here every pid the namespace gives
// out is one the host's /proc does not have.
func TestSandboxInAPIDNamespaceOfItsOwn(t *testing.T) {
	needSandbox(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		verdict := filepath.Join(t.TempDir(), "verdict.json")
		line, err := Command(exe, Config{Limits: DefaultLimits, Verdict: verdict}, []string{"/bin/echo", "started"})
		if err != nil {
			t.Fatal(err)
		}
		// A bound on a hang, not a measure: a start takes well under a second.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, line[0], line[1:]...)
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", lastPidEnv, freePids(t, 400)))
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Pdeathsig: syscall.SIGKILL}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err = cmd.Run()
		hung := errors.Is(ctx.Err(), context.DeadlineExceeded)
		cancel()
		if hung {
			t.Fatalf("start %d: still running after 30 s; output:\n%s", i, out.String())
		}
		v, rerr := ReadVerdict(verdict)
		if err != nil || rerr != nil || v.Error != "" || !strings.Contains(out.String(), "started") {
			t.Fatalf("start %d: %v, verdict %+v (%v); output:\n%s", i, err, v, rerr, out.String())
		}
	}
}
