package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// Subcommand is the hidden subcommand of the program that runs Main.
const Subcommand = "sandbox-exec"

// Nobody is the unprivileged user id sandboxed programs run as.
const Nobody = 65534

// Copy bounds: a submission's directory is small.
const (
	maxCopyFiles = 512
	maxCopyBytes = 64 << 20
)

// Config says what a sandboxed program may see and use.
type Config struct {
	Limits Limits
	// UID is the user (and group) id the program runs as, inside and
	// outside its user namespace: Nobody if zero.
	UID int
	// Copy are directories copied into the sandbox at their own paths,
	// writable; what the program writes there is gone when it ends.
	Copy []string
	// ReadOnly are files and directories visible read-only at their own
	// paths (an interpreter outside /usr, a built plugin, a scenario's
	// files).
	ReadOnly []string
	// Writable are directories shared with the caller, writable (a build's
	// output directory).
	Writable []string
	// Dir is the working directory.
	Dir string
	// Env are NAME=value entries set for the program; nothing else of the
	// caller's environment is, except what Pass names.
	Env []string
	// Pass names variables passed from the supervisor's environment; a name
	// ending in "*" is a prefix (the plugin handshake's PLUGIN_*).
	Pass []string
	// Network shares the caller's network namespace (a scenario's);
	// otherwise the program has one of its own with nothing in it.
	Network bool
	// Verdict is a file the supervisor writes the Verdict to, as JSON.
	Verdict string
	// Bwrap is bubblewrap's path ("" looks it up on PATH).
	Bwrap string
}

// Verdict is how a sandboxed program ended.
type Verdict struct {
	// Exceeded is the limit it exceeded (LimitMemory...), "" if none.
	Exceeded string `json:",omitempty"`
	// Message says so in words: "exceeded the 256 MiB memory limit".
	Message string `json:",omitempty"`
	// Off are the limits nothing enforced here, and why.
	Off []string `json:",omitempty"`
	// ExitCode is the program's (128+N for signal N).
	ExitCode int
	// CPUSeconds and PeakMemory are what it used, where measured.
	CPUSeconds float64 `json:",omitempty"`
	PeakMemory int64   `json:",omitempty"`
	// Error says why the sandbox itself failed.
	Error string `json:",omitempty"`
}

// ReadVerdict reads the verdict a supervisor wrote to path.
func ReadVerdict(path string) (*Verdict, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := &Verdict{}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("verdict %s: %w", path, err)
	}
	return v, nil
}

// Command returns the command line that runs argv sandboxed as c: the
// program exe (which must run Main for Subcommand) supervising it.
func Command(exe string, c Config, argv []string) ([]string, error) {
	if len(argv) == 0 {
		return nil, errors.New("sandbox: empty command line")
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return append([]string{exe, Subcommand, "--config", string(b), "--"}, argv...), nil
}

// FindBwrap returns bubblewrap's path, or an error saying how to install it.
func FindBwrap() (string, error) {
	p, err := exec.LookPath("bwrap")
	if err != nil {
		return "", errors.New("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
	}
	return p, nil
}

// Probe runs /bin/true sandboxed as c through exe, as a component runs
// (in a PID namespace of its own where one can be made, with the host's
// /proc): its verdict says which limits are off here; an error why no
// sandbox can be made here.
func Probe(exe string, c Config) (*Verdict, error) {
	if _, err := FindBwrap(); err != nil && c.Bwrap == "" {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "socklab-probe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	c.Verdict = filepath.Join(dir, "verdict.json")
	argv, err := Command(exe, c, []string{"/bin/true"})
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, attr := range pidNamespaces() {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.SysProcAttr = attr
		out, err = cmd.CombinedOutput()
		var ee *exec.ExitError
		if err == nil || errors.As(err, &ee) {
			break // started: its verdict counts
		}
	}
	if err != nil {
		return nil, fmt.Errorf("a sandboxed /bin/true failed (%v): %s", err, strings.TrimSpace(string(out)))
	}
	return ReadVerdict(c.Verdict)
}

// pidNamespaces are the ways to start a process in a PID namespace of
// its own, as the host's contain does: directly (root), in a user
// namespace, and last none.
func pidNamespaces() []*syscall.SysProcAttr {
	uid, gid := os.Getuid(), os.Getgid()
	return []*syscall.SysProcAttr{
		{Cloneflags: syscall.CLONE_NEWPID, Pdeathsig: syscall.SIGKILL},
		{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWUSER, Pdeathsig: syscall.SIGKILL,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}},
		{Pdeathsig: syscall.SIGKILL},
	}
}

// systemPaths are what programs need read-only: the system's programs and
// libraries, and the few files of /etc they read. Secrets (/etc/shadow,
// keys) are not among them.
var systemPaths = []string{
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
	"/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/hosts",
	"/etc/host.conf", "/etc/services", "/etc/protocols", "/etc/mime.types", "/etc/ssl",
	"/etc/ca-certificates", "/etc/python3", "/etc/gai.conf",
}

// file is a file copied in from the descriptor handed to bubblewrap.
type file struct {
	path string
	mode fs.FileMode
}

// copyPlan lists what copying dir into the sandbox takes: its
// directories, files and symbolic links, in order.
func copyPlan(dir string) (dirs []string, files []file, links [][2]string, err error) {
	total := int64(0)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if path != dir {
				dirs = append(dirs, path)
			}
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			links = append(links, [2]string{target, path})
		case info.Mode().IsRegular():
			total += info.Size()
			files = append(files, file{path: path, mode: info.Mode().Perm()})
		}
		if len(files) > maxCopyFiles || total > maxCopyBytes {
			return fmt.Errorf("%s holds more than %d files or %s: too much to copy into a sandbox", dir, maxCopyFiles, Bytes(maxCopyBytes))
		}
		return nil
	})
	return dirs, files, links, err
}

// bwrapArgs are bubblewrap's arguments for c, sockets being a writable
// directory for plugin sockets, with the copied files from descriptor 3
// on (files, in that order). With staging set, what is bound is first
// bound under staging (mounts: source, staged), where bubblewrap, as
// nobody, can reach it: it may not walk to the source (/root is 0700).
func (c Config) bwrapArgs(sockets, staging string, argv []string) (args []string, files []file, mounts [][2]string, err error) {
	uid := fmt.Sprint(c.uid())
	a := []string{"--unshare-user", "--uid", uid, "--gid", uid,
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		"--disable-userns", "--die-with-parent", "--hostname", "sandbox"}
	if !c.Network {
		a = append(a, "--unshare-net")
	}
	for _, p := range systemPaths {
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err == nil {
				a = append(a, "--symlink", target, p)
			}
		default:
			a = append(a, "--ro-bind", p, p)
		}
	}
	tmpSize := int64(64 << 20)
	if c.Limits.Memory > 0 {
		tmpSize = c.Limits.Memory
	}
	size := fmt.Sprint(tmpSize)
	a = append(a, "--proc", "/proc", "--dev", "/dev",
		"--perms", "1777", "--size", size, "--tmpfs", "/tmp")
	bind := func(op, p string) {
		src := p
		if staging != "" {
			src = filepath.Join(staging, fmt.Sprint(len(mounts)))
			mounts = append(mounts, [2]string{p, src})
		}
		a = append(a, op, src, p)
	}
	for _, p := range c.ReadOnly {
		bind("--ro-bind", p)
	}
	for _, d := range c.Copy {
		dirs, fs, links, err := copyPlan(d)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("sandbox: %w", err)
		}
		a = append(a, "--perms", "0755", "--size", size, "--tmpfs", d)
		for _, sub := range dirs {
			a = append(a, "--perms", "0755", "--dir", sub)
		}
		for _, f := range fs {
			a = append(a, "--perms", fmt.Sprintf("%04o", f.mode|0o600), "--file", fmt.Sprint(3+len(files)), f.path)
			files = append(files, f)
		}
		for _, l := range links {
			a = append(a, "--symlink", l[0], l[1])
		}
	}
	for _, p := range append(c.Writable, sockets) {
		bind("--bind", p)
	}
	if c.Dir != "" {
		a = append(a, "--chdir", c.Dir)
	}
	a = append(a, "--clearenv")
	for _, kv := range c.env(sockets) {
		k, v, _ := strings.Cut(kv, "=")
		a = append(a, "--setenv", k, v)
	}
	return append(append(a, "--"), argv...), files, mounts, nil
}

func (c Config) uid() int {
	if c.UID == 0 {
		return Nobody
	}
	return c.UID
}

// env is the program's whole environment.
func (c Config) env(sockets string) []string {
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8",
		"PLUGIN_UNIX_SOCKET_DIR=" + sockets}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "PLUGIN_UNIX_SOCKET_DIR" {
			continue // the caller's is not mounted here; sockets is
		}
		for _, p := range c.Pass {
			if k == p || strings.HasSuffix(p, "*") && strings.HasPrefix(k, strings.TrimSuffix(p, "*")) {
				env = append(env, kv)
				break
			}
		}
	}
	return append(env, c.Env...)
}
