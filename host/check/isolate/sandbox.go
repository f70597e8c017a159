package isolate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/sandbox"
	"github.com/socklab/socklab/internal/goplugin"
)

// Sandbox is how each submission's process (and its Go build) is
// sandboxed: package sandbox, supervised by Exe's sandbox-exec.
type Sandbox struct {
	// Exe is the program serving sandbox.Subcommand (socklab).
	Exe    string
	Limits sandbox.Limits
	// Off are the limits nothing enforces here (no cgroup controller).
	Off []string
}

// String says, for a report, whether submissions run sandboxed (nil: off)
// and which limits nothing enforces.
func (s *Sandbox) String() string {
	switch {
	case s == nil:
		return "off"
	case len(s.Off) > 0:
		return "on; limits off here: " + strings.Join(s.Off, "; ")
	}
	return "on"
}

// systemDirs hold what the sandbox shows of the system anyway.
var systemDirs = []string{"/usr/", "/bin/", "/lib/", "/lib64/", "/sbin/"}

// Wrap makes the component under test run sandboxed: in copies of the
// student's directory and of the scenario's files, on the scenario's
// network. The supervisor writes its verdict to verdict.
func (s *Sandbox) Wrap(under *lab.Component, sub submission.Submission, scenarioDir, verdict string) error {
	spec := &under.Plugin
	var argv []string
	var ro []string
	switch spec.From {
	case lab.Command, lab.Plain:
		argv = spec.Command
	case lab.GoSource:
		if sub.Binary == "" {
			return errors.New("the Go plugin was not built")
		}
		argv, ro = []string{sub.Binary}, []string{sub.Binary}
	default:
		return fmt.Errorf("a %v plugin is not a submission's own code", spec.From)
	}
	if p := argv[0]; filepath.IsAbs(p) && !hasAnyPrefix(p, systemDirs) && !submission.Inside(p, sub.Dir) && !contains(ro, p) {
		ro = append(ro, p) // an interpreter outside /usr
	}
	// Copied, not bound: the grader makes its directories for itself
	// alone (0700); the copies are the program's. The student's
	// directory, the scenario's files (a web server's root), the Python
	// SDK.
	var copyDirs []string
	add := func(dir string) {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() && !slices.ContainsFunc(copyDirs, func(d string) bool { return submission.Inside(dir, d) }) {
			copyDirs = append(copyDirs, dir)
		}
	}
	add(sub.Dir)
	add(scenarioDir)
	for _, kv := range spec.Env {
		if v, ok := strings.CutPrefix(kv, "PYTHONPATH="); ok {
			for p := range strings.SplitSeq(v, ":") {
				add(p)
			}
		}
	}
	if spec.WorkDir == "" {
		spec.WorkDir = sub.Dir
	}
	cfg := sandbox.Config{
		Limits: s.Limits, Copy: copyDirs, ReadOnly: ro, Dir: spec.WorkDir, Env: spec.Env,
		Pass:    []string{"PLUGIN_*", "PYTHONUNBUFFERED", goplugin.Handshake().MagicCookieKey},
		Network: true, Verdict: verdict,
	}
	wrapped, err := sandbox.Command(s.Exe, cfg, argv)
	if err != nil {
		return err
	}
	if spec.From == lab.GoSource {
		spec.From = lab.Command
	}
	spec.Command = wrapped
	return nil
}

// LimitExceeded reads the verdict a sandbox left: what to say of the
// scenario, "" when no limit was exceeded.
func LimitExceeded(verdict, scenario string) string {
	v, err := sandbox.ReadVerdict(verdict)
	if err != nil {
		return ""
	}
	if v.Error != "" {
		return "the sandbox failed: " + v.Error
	}
	if v.Exceeded == "" {
		return ""
	}
	return fmt.Sprintf("%s in scenario %s", v.Message, scenario)
}

// BuildSandboxed is the launch.Builder hook that runs a Go submission's
// build sandboxed: only its directory (copied), the Go toolchain and
// the module cache (read-only) and a build cache of its own, seeded with
// hard links to the grader's (which it cannot change), and no network.
func (s *Sandbox) BuildSandboxed(ctx context.Context, argv []string, dir, outDir string) ([]string, func(), error) {
	goroot, gomodcache, gocache := goEnv("GOROOT"), goEnv("GOMODCACHE"), goEnv("GOCACHE")
	// Beside the grader's cache: hard links stay on one file system.
	work, err := os.MkdirTemp(filepath.Dir(gocache), "socklab-build-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(work) }
	cache := filepath.Join(work, "gocache")
	if err := linkFarm(gocache, cache, sandbox.Nobody); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("seeding the build cache: %w", err)
	}
	if err := os.Chown(outDir, sandbox.Nobody, sandbox.Nobody); err != nil {
		cleanup()
		return nil, nil, err
	}
	ro := []string{}
	for _, p := range []string{goroot, gomodcache, launch.FindSocklabModule()} {
		if p != "" && !hasAnyPrefix(p+"/", systemDirs) {
			if _, err := os.Stat(p); err == nil {
				ro = append(ro, p)
			}
		}
	}
	limits := s.Limits
	// A compiler needs more than a program: the build's own limits.
	limits.Memory = max(limits.Memory, 2<<30)
	limits.Procs = max(limits.Procs, 256)
	limits.CPUTime = 0
	limits.FileSize = max(limits.FileSize, 256<<20)
	cfg := sandbox.Config{
		Limits: limits, Copy: []string{dir}, ReadOnly: ro, Writable: []string{outDir, cache}, Dir: dir,
		// The grader's settings, so that the seeded cache's entries match;
		// no network, no other toolchain.
		Env: []string{"GOCACHE=" + cache, "GOMODCACHE=" + gomodcache, "GOPROXY=off", "GOTOOLCHAIN=local",
			"CGO_ENABLED=" + goEnv("CGO_ENABLED"), "GOFLAGS=" + goEnv("GOFLAGS"), "GOPATH=/tmp/gopath",
			"PATH=" + filepath.Join(goroot, "bin") + ":/usr/bin:/bin"},
	}
	wrapped, err := sandbox.Command(s.Exe, cfg, argv)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return wrapped, cleanup, nil
}

// goEnv is a variable of the go command's environment.
func goEnv(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// linkFarm makes dst a copy of the directory tree src made of hard links,
// its directories owned by uid: a build adds to it, and cannot change what
// is in src (root's files, read-only to uid).
func linkFarm(src, dst string, uid int) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if path == src && errors.Is(err, os.ErrNotExist) {
				return os.MkdirAll(dst, 0o755)
			}
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, 0o755); err != nil {
				return err
			}
			return os.Chown(target, uid, uid)
		case d.Type().IsRegular():
			if err := os.Link(path, target); err != nil {
				return err
			}
		}
		return nil
	})
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
