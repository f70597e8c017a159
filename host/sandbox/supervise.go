package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupPrefix names the supervisors' control groups: prefix, pid, count.
const cgroupPrefix = "socklab-sandbox-"

// cpuPoll is how often the supervisor reads the CPU time used.
const cpuPoll = 50 * time.Millisecond

// outputGrace is how long the output is read once the sandbox is gone.
const outputGrace = 2 * time.Second

// entry is what the supervisor tells the process that becomes bubblewrap.
type entry struct {
	Cgroups []string
	Limits  Limits
	UID     int
	Bwrap   string
	Args    []string
	// Mounts are binds to make first, source on staged.
	Mounts [][2]string
	// NewProc mounts a /proc of the PID namespace the process is in
	// over the one it inherited (see ownProc).
	NewProc bool
}

// Main is the Subcommand: with "--config JSON -- COMMAND..." it supervises
// COMMAND sandboxed (the supervisor); with "--enter JSON" it is the
// process that becomes bubblewrap. It returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "--enter" {
		var e entry
		if err := json.Unmarshal([]byte(args[1]), &e); err != nil {
			fmt.Fprintf(stderr, "sandbox: %v\n", err)
			return 125
		}
		err := enter(e)
		fmt.Fprintf(stderr, "sandbox: %v\n", err)
		return 125
	}
	if len(args) < 4 || args[0] != "--config" || args[2] != "--" {
		fmt.Fprintf(stderr, "usage: %s --config JSON -- COMMAND [ARG...]\n", Subcommand)
		return 125
	}
	var c Config
	if err := json.Unmarshal([]byte(args[1]), &c); err != nil {
		fmt.Fprintf(stderr, "sandbox: reading its configuration: %v\n", err)
		return 125
	}
	v := supervise(c, args[3:], stdin, stdout, stderr)
	if v.Error != "" {
		fmt.Fprintf(stderr, "sandbox: %s\n", v.Error)
	}
	if v.Message != "" {
		fmt.Fprintf(stderr, "sandbox: %s\n", v.Message)
	}
	if c.Verdict != "" {
		b, _ := json.Marshal(v)
		if err := os.WriteFile(c.Verdict, b, 0o644); err != nil {
			fmt.Fprintf(stderr, "sandbox: writing the verdict: %v\n", err)
		}
	}
	// A program ended by a signal (bubblewrap says 128+N) ends the
	// supervisor the same way: the caller tells a SIGTERM it sent from a
	// crash by that.
	// (Not a crash's signal: the Go runtime would add its own report.)
	switch sig := syscall.Signal(v.ExitCode - 128); sig {
	case syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGKILL:
		signal.Reset(sig)
		_ = syscall.Kill(os.Getpid(), sig)
		time.Sleep(time.Second) // the signal is on its way
	}
	return v.ExitCode
}

// supervise runs argv sandboxed as c and says how it ended.
func supervise(c Config, argv []string, stdin io.Reader, stdout, stderr io.Writer) *Verdict {
	v := &Verdict{ExitCode: 125}
	fail := func(err error) *Verdict {
		v.Error = err.Error()
		return v
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	bwrap := c.Bwrap
	if bwrap == "" {
		if bwrap, err = FindBwrap(); err != nil {
			return fail(err)
		}
	}
	// Caught, not ignored: the program's own handlers must stay default. A
	// signal to the process group reaches the program as well; the
	// supervisor waits for it to end.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)

	// As root (and where nobody exists: not in a user namespace that maps
	// root alone) the supervisor drops to nobody; otherwise bubblewrap runs
	// as the grader's own user, and the program is nobody only inside.
	root := os.Getuid() == 0 && mapped(c.uid())
	// In a PID namespace of its own (a component under the host's
	// contain) whose /proc is the host's, bubblewrap looks for its child
	// at the pid clone gave it, which names another process or none in
	// that /proc: it fails, and the child it made waits for it for ever.
	// The process that becomes bubblewrap mounts the /proc of its PID
	// namespace in a mount namespace of its own (which takes root, or a
	// user namespace's root owning the PID namespace).
	newProc := !ownProc()
	sockets, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", cgroupPrefix, os.Getpid()))
	if err != nil {
		return fail(fmt.Errorf("a directory for its sockets: %w", err))
	}
	defer os.RemoveAll(sockets)
	if root {
		if err := os.Chown(sockets, c.uid(), c.uid()); err != nil {
			return fail(fmt.Errorf("a directory for its sockets: %w", err))
		}
	}
	staging := ""
	if root {
		if staging, err = os.MkdirTemp("", fmt.Sprintf("%s%d-", cgroupPrefix, os.Getpid())); err != nil {
			return fail(err)
		}
		defer os.RemoveAll(staging) // its mounts are in the sandbox's mount namespace only
		if err := os.Chmod(staging, 0o755); err != nil {
			return fail(err)
		}
	}
	bargs, files, mounts, err := c.bwrapArgs(sockets, staging, argv)
	if err != nil {
		return fail(err)
	}

	cfs, err := realCgroupFS()
	var cg *cgroups
	if err != nil {
		v.Off = []string{"memory, processes and CPU time (" + err.Error() + ")"}
		cg = &cgroups{}
	} else {
		sweep(cfs, cgroupPrefix)
		cg, v.Off = newCgroups(cfs, fmt.Sprintf("%s%d-%d", cgroupPrefix, os.Getpid(), time.Now().UnixNano()), c.Limits)
	}
	defer func() {
		if err := cg.destroy(); err != nil && v.Error == "" {
			v.Error = "cleaning up: " + err.Error()
		}
	}()
	kill := make(chan string, 1)
	stopWith := func(limit string) {
		select {
		case kill <- limit:
		default: // the first limit reached is the verdict
		}
	}

	e := entry{Cgroups: cg.dirs, Limits: c.Limits, Bwrap: bwrap, Args: bargs, Mounts: mounts, NewProc: newProc}
	if root {
		e.UID = c.uid()
	}
	eb, err := json.Marshal(e)
	if err != nil {
		return fail(err)
	}
	cmd := exec.Command(exe, Subcommand, "--enter", string(eb))
	cmd.Stdin = stdin
	// In the component's process group: the host finds a server's
	// sockets by it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if root || newProc {
		cmd.SysProcAttr.Unshareflags = syscall.CLONE_NEWNS // for the staging mounts and /proc
	}
	for _, f := range files {
		fh, err := os.Open(f.path)
		if err != nil {
			return fail(err)
		}
		defer fh.Close()
		cmd.ExtraFiles = append(cmd.ExtraFiles, fh)
	}
	out := &limiter{limit: c.Limits.Output}
	// Pipes of its own rather than exec's, so that bubblewrap's end is
	// seen before the output's: whatever is left holding the write ends
	// is killed first (see below).
	outR, outW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	defer outR.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		outW.Close()
		return fail(err)
	}
	defer errR.Close()
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close()
	errW.Close()
	for _, f := range cmd.ExtraFiles {
		f.Close()
	}
	if err != nil {
		if newProc && !root {
			err = fmt.Errorf("%w (in a mount namespace of its own, to mount the /proc of its PID namespace: that takes root)", err)
		}
		return fail(fmt.Errorf("starting the sandbox: %w", err))
	}
	out.over = func() { stopWith(LimitOutput) }
	var copies sync.WaitGroup
	copies.Go(func() { out.copy(stdout, outR) })
	copies.Go(func() { out.copy(stderr, errR) })

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(cpuPoll)
	defer tick.Stop()
	var waitErr error
	exceeded := ""
wait:
	for {
		select {
		case waitErr = <-exited:
			break wait
		case sig := <-sigs:
			// Passed on to the program (not to bubblewrap's first
			// process, which would kill it at once; its second, the
			// sandbox's PID 1, takes none from outside): a client told
			// to stop prints its summary. (Pids, not names: /proc may be
			// another PID namespace's.)
			for _, pid := range cg.procs() {
				if pid != cmd.Process.Pid {
					_ = syscall.Kill(pid, sig.(syscall.Signal))
				}
			}
		case limit := <-kill:
			if exceeded == "" {
				exceeded = limit
			}
			_ = cmd.Process.Kill() // bubblewrap: the PID namespace dies with it
			_ = cg.kill()
		case <-tick.C:
			if used, ok := cg.cpuUsed(); ok && c.Limits.CPUTime > 0 && used >= c.Limits.CPUTime {
				stopWith(LimitCPU)
			}
			// A process the kernel refused or killed at a limit: the
			// program is stopped there, not left to run on crippled.
			if limit := cg.exceeded(); limit != "" {
				stopWith(limit)
			}
		}
	}
	v.ExitCode = exitCode(waitErr)
	// Bubblewrap is gone; so goes everything of the sandbox. Anything
	// left (a child bubblewrap failed without) would hold the output open.
	_ = cg.kill()
	drained := make(chan struct{})
	go func() {
		copies.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(outputGrace):
		// Only without control groups can a process outlive bubblewrap
		// unseen; its output is not waited for.
		outR.Close()
		errR.Close()
		<-drained
	}
	if used, ok := cg.cpuUsed(); ok {
		v.CPUSeconds = math.Round(used.Seconds()*1000) / 1000
	}
	v.PeakMemory = cg.peakMemory()
	if exceeded == "" {
		exceeded = cg.exceeded()
	}
	if exceeded == "" {
		exceeded = byStatus(v.ExitCode, out.tail(), c.Limits)
	}
	if exceeded != "" {
		v.Exceeded = exceeded
		v.Message = "exceeded " + c.Limits.describe(exceeded)
	}
	// bubblewrap's own failure (its messages start "bwrap:") is the
	// sandbox's, not the program's.
	if v.ExitCode == 1 && strings.HasPrefix(out.tail(), "bwrap: ") {
		v.Error = strings.TrimSpace(out.tail())
	}

	return v
}

// mapped reports whether uid exists in this process's user namespace.
func mapped(uid int) bool {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		var inside, outside, n int
		if _, err := fmt.Sscan(line, &inside, &outside, &n); err == nil && uid >= inside && uid < inside+n {
			return true
		}
	}
	return false
}

// byStatus reads a limit from how the program ended: a signal the kernel
// sends at a limit, or Python's words for the error a write gets there
// (Python ignores SIGXFSZ).
func byStatus(code int, tail string, l Limits) string {
	switch {
	case code == 128+int(syscall.SIGXCPU) && l.CPUTime > 0:
		return LimitCPU
	case code == 128+int(syscall.SIGXFSZ) && l.FileSize > 0:
		return LimitFileSize
	case l.FileSize > 0 && strings.Contains(tail, "[Errno 27] File too large"):
		return LimitFileSize
	}
	return ""
}

// ownProc reports whether /proc is that of this process's PID namespace.
func ownProc() bool {
	self, err := os.Readlink("/proc/self")
	return err == nil && self == strconv.Itoa(os.Getpid())
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		return 125
	}
	return 0
}

// limiter passes output through until the limit, then calls over once and
// drops the rest; it keeps the last bytes for the verdict.
type limiter struct {
	limit int64
	over  func()

	mu   sync.Mutex
	n    int64
	last []byte
}

const tailBytes = 4096

func (l *limiter) copy(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			l.mu.Lock()
			p := buf[:k]
			fire := false
			if l.limit > 0 {
				room := max(0, l.limit-l.n)
				if int64(len(p)) > room {
					p = p[:room]
					fire = l.n <= l.limit
				}
			}
			l.n += int64(k)
			l.last = append(l.last, p...)
			if len(l.last) > tailBytes {
				l.last = l.last[len(l.last)-tailBytes:]
			}
			l.mu.Unlock()
			if len(p) > 0 {
				_, _ = dst.Write(p)
			}
			if fire {
				l.over()
			}
		}
		if err != nil {
			return
		}
	}
}

func (l *limiter) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(bytes.ToValidUTF8(l.last, nil))
}

// enter is the process that becomes bubblewrap: in the control groups,
// with the per-process limits, as the unprivileged user, with
// no_new_privs. It returns only on failure.
func enter(e entry) error {
	runtime.LockOSThread() // prctl and exec on one thread
	pid := os.Getpid()
	for _, dir := range e.Cgroups {
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(fmt.Sprint(pid)), 0o644); err != nil {
			return fmt.Errorf("joining %s: %w", dir, err)
		}
	}
	if len(e.Mounts) > 0 || e.NewProc {
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			return fmt.Errorf("a private mount namespace: %w", err)
		}
	}
	if e.NewProc {
		if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
			return fmt.Errorf("mounting the /proc of its PID namespace: %w", err)
		}
	}
	for _, m := range e.Mounts {
		fi, err := os.Stat(m[0])
		if err != nil {
			return err
		}
		if fi.IsDir() {
			err = os.Mkdir(m[1], 0o755)
		} else {
			err = os.WriteFile(m[1], nil, 0o644)
		}
		if err != nil {
			return err
		}
		if err := unix.Mount(m[0], m[1], "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("binding %s: %w", m[0], err)
		}
	}
	set := func(res int, v uint64) error {
		return unix.Setrlimit(res, &unix.Rlimit{Cur: v, Max: v})
	}
	if e.Limits.CPUTime > 0 {
		s := uint64(math.Ceil(e.Limits.CPUTime.Seconds()))
		// SIGXCPU at the limit, SIGKILL a second later.
		if err := unix.Setrlimit(unix.RLIMIT_CPU, &unix.Rlimit{Cur: s, Max: s + 1}); err != nil {
			return fmt.Errorf("CPU limit: %w", err)
		}
	}
	if e.Limits.FileSize > 0 {
		if err := set(unix.RLIMIT_FSIZE, uint64(e.Limits.FileSize)); err != nil {
			return fmt.Errorf("file size limit: %w", err)
		}
	}
	if err := set(unix.RLIMIT_CORE, 0); err != nil {
		return fmt.Errorf("core limit: %w", err)
	}
	if e.UID != 0 {
		if err := syscall.Setgroups(nil); err != nil {
			return fmt.Errorf("dropping groups: %w", err)
		}
		if err := syscall.Setgid(e.UID); err != nil {
			return fmt.Errorf("becoming group %d: %w", e.UID, err)
		}
		if err := syscall.Setuid(e.UID); err != nil {
			return fmt.Errorf("becoming user %d: %w", e.UID, err)
		}
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	if err := unix.Exec(e.Bwrap, append([]string{"bwrap"}, e.Args...), os.Environ()); err != nil {
		return fmt.Errorf("starting %s: %w", e.Bwrap, err)
	}
	return nil
}
