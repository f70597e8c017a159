package launch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// Builder builds Go plugin packages into a cache directory. Each package
// has its own binary there with a fingerprint of what it was built from;
// while the fingerprint holds, the binary is used as it is, and `go build`
// (which always rewrites its output) is not run at all.
type Builder struct {
	// Dir is the cache directory, e.g. ~/.cache/socklab/plugins.
	Dir string
	// Socklab is a socklab source tree (FindSocklabModule) that a package
	// in no module is built against, as a module of its own.
	Socklab string
	// Sandbox, if set, wraps the go command line that builds the package
	// in dir into outDir (a student's build is untrusted code too); done
	// is called once the build is over.
	Sandbox func(ctx context.Context, argv []string, dir, outDir string) (wrapped []string, done func(), err error)

	mu    sync.Mutex
	locks map[string]*sync.Mutex
	built map[string]string // dir to binary, built by this Builder
}

// Build compiles the Go main package in dir and returns its binary.
func (b *Builder) Build(ctx context.Context, dir string) (string, error) {
	sum := sha256.Sum256([]byte(dir))
	outDir := filepath.Join(b.Dir, hex.EncodeToString(sum[:8]))
	bin := filepath.Join(outDir, filepath.Base(dir))

	lock := b.lock(outDir)
	lock.Lock()
	defer lock.Unlock()
	if bin, ok := b.done(dir); ok {
		return bin, nil
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("plugin cache: %w", err)
	}
	// Another host (a parallel grading run) may share the cache.
	unlock, err := lockFile(filepath.Join(outDir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()

	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building the Go plugin in %s needs the go command on PATH", dir)
	}
	fpFile := filepath.Join(outDir, "fingerprint")
	fp, fpErr := fingerprint(ctx, goTool, dir)
	if old, err := os.ReadFile(fpFile); fpErr == nil && err == nil && string(old) == fp {
		if _, err := os.Stat(bin); err == nil {
			b.remember(dir, bin)
			return bin, nil
		}
	}
	os.Remove(fpFile)
	args := []string{"build", "-o", bin}
	if _, err := moduleRoot(dir); err != nil {
		overlay, err := b.standaloneOverlay(dir, outDir)
		if err != nil {
			return "", &BuildError{Dir: dir, Output: err.Error(), Err: errNoModule}
		}
		args = append(args, "-overlay", overlay)
	}
	argv := append([]string{goTool}, append(args, ".")...)
	if b.Sandbox != nil {
		wrapped, done, err := b.Sandbox(ctx, argv, dir, outDir)
		if err != nil {
			return "", fmt.Errorf("sandboxing the build of %s: %w", dir, err)
		}
		defer done()
		argv = wrapped
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	// The compilers go starts die with it: the whole group is killed on
	// cancel, and go itself if the host dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &BuildError{Dir: dir, Output: strings.TrimSpace(out.String()), Err: err}
	}
	if fpErr == nil {
		_ = os.WriteFile(fpFile, []byte(fp), 0o644)
	}
	b.remember(dir, bin)
	return bin, nil
}

func (b *Builder) remember(dir, bin string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.built[dir] = bin
}

// done returns the binary of dir if this Builder built it already: one
// run builds each package once.
func (b *Builder) done(dir string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bin, ok := b.built[dir]
	return bin, ok
}

func (b *Builder) lock(key string) *sync.Mutex {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.locks == nil {
		b.locks, b.built = map[string]*sync.Mutex{}, map[string]string{}
	}
	if b.locks[key] == nil {
		b.locks[key] = &sync.Mutex{}
	}
	return b.locks[key]
}

func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("plugin cache lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("plugin cache lock: %w", err)
	}
	return func() { f.Close() }, nil
}

var errNoModule = errors.New("no go.mod")

// BuildError is a Go plugin that does not compile; Output is what the
// compiler said.
type BuildError struct {
	Dir    string
	Output string
	Err    error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("building Go plugin %s failed (%v):\n%s", e.Dir, e.Err, e.Output)
}

func (e *BuildError) Unwrap() error { return e.Err }

// DefaultCacheDir is where built plugins go unless told otherwise.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "socklab", "plugins")
}
