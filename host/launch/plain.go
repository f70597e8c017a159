package launch

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/proto/roles"
)

// PlainOptions says how to start a plain program: one that speaks no
// plugin protocol (see lab.Plain).
type PlainOptions struct {
	// Component names the component in messages.
	Component string
	// Argv is the command line; Dir its working directory; Env is added to
	// the host's environment.
	Argv []string
	Dir  string
	Env  []string
	// Output receives each line it writes; nil logs them to Log.
	Output func(Line)
	Log    zerolog.Logger
	// Contain, if set, is the host's command line: the program runs under
	// its contain subcommand (see Contain).
	Contain []string
}

// PlainProcess is a running plain program.
type PlainProcess struct {
	PID       int
	cmd       *exec.Cmd
	out       *output
	contained *contained
	done      chan struct{}
	err       error // how it ended, once done is closed
}

// StartPlain starts a plain program in its own process group, killed
// with the host. Its stdout and stderr become Lines; Python's output is
// unbuffered so that each line comes when it is printed.
func StartPlain(o PlainOptions) (*PlainProcess, error) {
	if len(o.Argv) == 0 {
		return nil, errors.New("program: empty command line")
	}
	cmd, cont, statusW, err := containCmd(o.Contain, o.Argv)
	if err != nil {
		return nil, fmt.Errorf("program %s: %w", strings.Join(o.Argv, " "), err)
	}
	cmd.Dir = o.Dir
	cmd.Env = append(append(os.Environ(), "PYTHONUNBUFFERED=1"), o.Env...)
	out := newOutput(o.Log, o.Output)
	stdout, stderr := out.stream("stdout", false), out.stream("stderr", false)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Wait returns once both pipes are drained, so that the end is judged
	// on everything the program said; a child that keeps them open holds
	// it up no longer than this.
	cmd.WaitDelay = time.Second
	err = cmd.Start()
	if statusW != nil {
		statusW.Close()
	}
	if err != nil {
		if cont != nil {
			cont.status.Close()
		}
		return nil, fmt.Errorf("program %s: %w", strings.Join(o.Argv, " "), err)
	}
	p := &PlainProcess{PID: cmd.Process.Pid, cmd: cmd, out: out, contained: cont, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		if ws := cont.waitStatus(); ws != nil {
			p.err = nil
			if !ws.Exited() || ws.ExitStatus() != 0 {
				p.err = &ExitError{Status: *ws}
			}
		}
		stdout.Flush()
		stderr.Flush()
		// Whatever it started in its group goes with it.
		_ = syscall.Kill(-p.PID, syscall.SIGKILL)
		close(p.done)
	}()
	return p, nil
}

// Done is closed when the program has ended.
func (p *PlainProcess) Done() <-chan struct{} { return p.done }

// Err is how the program ended (nil for exit status 0); valid after Done.
func (p *PlainProcess) Err() error {
	<-p.done
	return p.err
}

// Signal sends sig to the program's process group.
func (p *PlainProcess) Signal(sig syscall.Signal) { _ = syscall.Kill(-p.PID, sig) }

// Kill ends the program and everything in its process group, and waits
// for it.
func (p *PlainProcess) Kill() {
	p.Signal(syscall.SIGKILL)
	<-p.done
}

// Diagnosis says how the program ended and what it said last, for an
// error message; it waits for the end.
func (p *PlainProcess) Diagnosis() string {
	<-p.done
	parts := []string{"exit status 0"}
	if ws := p.contained.waitStatus(); ws != nil {
		parts[0] = describeStatus(*ws)
	} else if p.cmd.ProcessState != nil {
		parts[0] = p.cmd.ProcessState.String()
	}
	if last := p.out.lastWords(); last != "" {
		parts = append(parts, "last output: "+last)
	}
	return strings.Join(parts, "; ")
}

// CrashReport is the crash its stderr ends with, in a line: an uncaught
// Python traceback's exception or a Go panic, the last thing it wrote
// there; "" if none. SIGTERM's default action prints nothing, so a
// program stopped by it that ends so had crashed by itself, and was
// still exiting when it was stopped. It waits for the end.
func (p *PlainProcess) CrashReport() string {
	<-p.done
	return p.out.crashReport()
}

// Bound returns the addresses a process of the program's group has
// bound: for "tcp" the listening sockets, for "udp" every socket bound to
// a port, in the order of /proc/net's tables. It reads /proc/net of the
// network namespace it runs in and the processes' file descriptors.
func (p *PlainProcess) Bound(transport roles.Transport) ([]netip.AddrPort, error) {
	byInode := map[string]netip.AddrPort{}
	var order []string
	for _, file := range []string{string(transport), string(transport) + "6"} {
		if err := boundSockets(filepath.Join("/proc/net", file), transport == roles.TCP, byInode, &order); err != nil {
			return nil, err
		}
	}
	if len(byInode) == 0 {
		return nil, nil
	}
	owned := map[string]bool{}
	for _, pid := range groupMembers(p.PID) {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
			if err == nil && strings.HasPrefix(target, "socket:[") {
				owned[strings.TrimSuffix(target[len("socket:["):], "]")] = true
			}
		}
	}
	var out []netip.AddrPort
	for _, inode := range order {
		if owned[inode] {
			out = append(out, byInode[inode])
		}
	}
	return out, nil
}

// tcpListen is the state of a listening socket in /proc/net/tcp.
const tcpListen = "0A"

// boundSockets adds the sockets of a /proc/net table that are bound to a
// port (and listening, if listening is set), by inode.
func boundSockets(table string, listening bool, byInode map[string]netip.AddrPort, order *[]string) error {
	f, err := os.Open(table)
	if errors.Is(err, os.ErrNotExist) {
		return nil // no IPv6
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || (listening && fields[3] != tcpListen) {
			continue
		}
		addr, ok := procAddr(fields[1])
		if !ok || addr.Port() == 0 || fields[9] == "0" {
			continue
		}
		if _, dup := byInode[fields[9]]; !dup {
			*order = append(*order, fields[9])
		}
		byInode[fields[9]] = addr
	}
	return sc.Err()
}

// procAddr reads an address of /proc/net/{tcp,udp}{,6}: the IP as 32-bit
// words in host byte order (little-endian here), then the port, in hex.
func procAddr(s string) (netip.AddrPort, bool) {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if !ok || err != nil {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(hexIP)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	ip, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(ip.Unmap(), uint16(port)), true
}

// groupMembers lists the processes of process group pgid.
func groupMembers(pgid int) []int {
	var pids []int
	for _, p := range processes() {
		if p.pgrp == pgid {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

// process is what /proc/PID/stat says of a process that this needs.
type process struct {
	pid, ppid, pgrp int
	zombie          bool
}

// processes lists the processes /proc shows.
func processes() []process {
	entries, _ := os.ReadDir("/proc")
	var out []process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces and parens.
		i := strings.LastIndexByte(string(stat), ')')
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 3 {
			continue
		}
		p := process{pid: pid, zombie: fields[0] == "Z"}
		p.ppid, _ = strconv.Atoi(fields[1])
		p.pgrp, _ = strconv.Atoi(fields[2])
		out = append(out, p)
	}
	return out
}
