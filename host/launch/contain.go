package launch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Nothing a component starts outlives its run. Each plugin and plain
// program, except the builtin plugin (the host's own code, which starts
// no process), is started under the host's hidden `contain` subcommand
// (Contain), which runs it as its only child and, when that child ends or
// the host dies, ends every process the component started, those in
// sessions of their own included.
//
// Contain is PID 1 of a new PID namespace when the kernel allows one
// (directly, or inside a new user namespace): when it exits, or is killed
// with the host (its parent-death signal is SIGKILL), the kernel kills
// every process of the namespace, however it hid. Without namespaces it
// is a child subreaper: orphans of the component become its children, and
// when the component ends or the host dies (a catchable parent-death
// signal) it kills its descendants from /proc.
//
// Contain passes the child's wait status to the host on file descriptor
// 3, since PID 1 of a namespace cannot die of a signal itself.

// ContainSubcommand is the hidden subcommand that runs Contain.
const ContainSubcommand = "contain"

// containMode says how contain keeps a component's processes together.
type containMode int

const (
	pidNamespace containMode = iota
	userNamespace
	subreaper
)

func (m containMode) String() string {
	return [...]string{"pid namespace", "user and pid namespace", "child subreaper"}[m]
}

// clone is the namespaces to start contain in.
func (m containMode) attr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	switch m {
	case pidNamespace:
		attr.Cloneflags = syscall.CLONE_NEWPID
	case subreaper:
		// The host's death is a signal to catch, so that contain kills
		// what the component started before it goes.
		attr.Pdeathsig = syscall.SIGUSR2
	case userNamespace:
		uid, gid := os.Getuid(), os.Getgid()
		attr.Cloneflags = syscall.CLONE_NEWPID | syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
	}
	return attr
}

// ContainEnv, if set in the host's environment to "pid", "user" or
// "subreaper", chooses the mode (to test each); by default it is the
// first the kernel allows.
const ContainEnv = "SOCKLAB_CONTAIN"

// chooseMode finds, once, the first mode the kernel allows, by starting
// true(1) in it.
var chooseMode = sync.OnceValue(func() containMode {
	modes := []containMode{pidNamespace, userNamespace}
	switch os.Getenv(ContainEnv) {
	case "pid":
		modes = modes[:1]
	case "user":
		modes = modes[1:]
	case "subreaper":
		modes = nil
	}
	for _, m := range modes {
		cmd := exec.Command("true")
		cmd.SysProcAttr = m.attr()
		if cmd.Run() == nil {
			return m
		}
	}
	return subreaper
})

// contained is the host's side of a contained process.
type contained struct {
	status *os.File // read end of contain's fd 3
	once   sync.Once
	ws     *syscall.WaitStatus
}

// containCmd turns argv into the contain command line around it, with
// cmd's SysProcAttr set for the mode; nil prefix leaves argv alone.
func containCmd(prefix, argv []string) (*exec.Cmd, *contained, *os.File, error) {
	if len(prefix) == 0 {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		return cmd, nil, nil, nil
	}
	mode := chooseMode()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	args := append(append(append([]string{}, prefix[1:]...), ContainSubcommand, strconv.Itoa(int(mode)), strconv.Itoa(os.Getpid()), "--"), argv...)
	cmd := exec.Command(prefix[0], args...)
	cmd.SysProcAttr = mode.attr()
	cmd.ExtraFiles = []*os.File{w}
	return cmd, &contained{status: r}, w, nil
}

// waitStatus is the child's wait status as contain reported it, nil if it
// reported none (it was killed). Call it once the process has ended.
func (c *contained) waitStatus() *syscall.WaitStatus {
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		_ = c.status.SetReadDeadline(time.Now().Add(time.Second))
		data, _ := io.ReadAll(io.LimitReader(c.status, 32))
		c.status.Close()
		if n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 32); err == nil {
			ws := syscall.WaitStatus(n)
			c.ws = &ws
		}
	})
	return c.ws
}

// ExitError is how a contained process ended, if not with status 0.
type ExitError struct{ Status syscall.WaitStatus }

func (e *ExitError) Error() string { return describeStatus(e.Status) }

// Signaled reports whether it ended by a signal.
func (e *ExitError) Signaled() bool { return e.Status.Signaled() }

func describeStatus(ws syscall.WaitStatus) string {
	switch {
	case ws.Signaled():
		s := "signal: " + ws.Signal().String()
		if ws.CoreDump() {
			s += " (core dumped)"
		}
		return s
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	}
	return fmt.Sprintf("wait status %#x", uint32(ws))
}

// Signaled reports whether err says a process ended by a signal.
func Signaled(err error) bool {
	var ce *ExitError
	if errors.As(err, &ce) {
		return ce.Signaled()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ws, ok := ee.Sys().(syscall.WaitStatus)
		return ok && ws.Signaled()
	}
	return false
}

// Contain is the hidden contain subcommand: args are the mode, the host's
// process id and "--" before the command line. It returns contain's exit
// status.
func Contain(args []string, stderr io.Writer) int {
	if len(args) < 4 || args[2] != "--" {
		fmt.Fprintln(stderr, "socklab contain: usage: contain MODE HOSTPID -- COMMAND [ARG...] (started by the host)")
		return 2
	}
	m, _ := strconv.Atoi(args[0])
	mode := containMode(m)
	host, _ := strconv.Atoi(args[1])
	status := os.NewFile(3, "status")
	syscall.CloseOnExec(3)

	signals := make(chan os.Signal, 16)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	if mode == subreaper {
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
		if os.Getppid() != host { // gone before the signal was set up
			return 137
		}
	}

	cmd := exec.Command(args[3], args[4:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		killDescendants(mode)
		return 127
	}
	child := cmd.Process.Pid
	exited := make(chan syscall.WaitStatus, 1)
	go func() {
		// Reap every process that ends here (orphans come to PID 1 and to
		// a subreaper), noting the child's status.
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, 0, nil)
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil {
				return
			}
			if pid == child {
				exited <- ws
			}
		}
	}()
	for {
		select {
		case ws := <-exited:
			fmt.Fprintf(status, "%d\n", uint32(ws))
			status.Close()
			killDescendants(mode)
			if ws.Exited() {
				return ws.ExitStatus()
			}
			return 128 + int(ws.Signal())
		case sig := <-signals:
			if mode == subreaper && sig == syscall.SIGUSR2 && os.Getppid() != host {
				killDescendants(mode)
				return 137
			}
			// A signal to the component's process group (as the host sends
			// them) reached the child too; pass it on only to a child that
			// left the group.
			if pgid, err := syscall.Getpgid(child); err == nil && pgid != syscall.Getpgrp() {
				_ = syscall.Kill(child, sig.(syscall.Signal))
			}
		}
	}
}

// killDescendants kills every process contain's component left. In a PID
// namespace contain's exit does it; as a subreaper it finds them in /proc.
func killDescendants(mode containMode) {
	if mode != subreaper {
		return
	}
	self := os.Getpid()
	for range 50 {
		pids := descendants(self)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// descendants lists the live processes below pid.
func descendants(pid int) []int {
	parent := map[int]int{}
	for _, p := range processes() {
		if !p.zombie {
			parent[p.pid] = p.ppid
		}
	}
	var out []int
	for p := range parent {
		for q, hops := parent[p], 0; q > 1 && hops < 1000; q, hops = parent[q], hops+1 {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
