package launch

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// SocketDir is the directory a run's plugins make their go-plugin sockets
// in, one per run under socklab's directory of the system's temporary
// directory. The run holds a lock on it while it lives; the kernel lets
// go of the lock when the host dies, however it dies, so that the next
// run knows a directory nobody holds for a killed run's and removes it.
type SocketDir struct {
	Path string
	lock *os.File
}

// socketRoot is where the runs' socket directories are.
func socketRoot() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("socklab-%d", os.Getuid()))
}

// NewSocketDir makes the directory of this run. The directories of runs
// that are gone are the caller's to remove (RemoveStaleSocketDirs), which
// it may do while its plugins start.
func NewSocketDir() (*SocketDir, error) {
	root := socketRoot()
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("plugin socket directory: %w", err)
	}
	dir, err := os.MkdirTemp(root, "run-")
	if err != nil {
		return nil, fmt.Errorf("plugin socket directory: %w", err)
	}
	// The lock file is locked before it takes its name: another run's
	// sweep opens only ".lock", so it never finds this one unlocked.
	lock, err := os.OpenFile(filepath.Join(dir, ".lock-new"), os.O_CREATE|os.O_RDWR|syscall.O_CLOEXEC, 0o600)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err == nil {
		err = os.Rename(filepath.Join(dir, ".lock-new"), filepath.Join(dir, ".lock"))
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("plugin socket directory: %w", err)
	}
	return &SocketDir{Path: dir, lock: lock}, nil
}

// Remove removes the directory with whatever sockets are left in it.
func (d *SocketDir) Remove() {
	if d == nil {
		return
	}
	os.RemoveAll(d.Path)
	d.lock.Close()
}

// RemoveStaleSocketDirs removes the socket directories that no live run
// holds a lock on. A directory being made is safe from it, whatever the
// timing: its lock is taken before the lock file has the name looked for
// here.
func RemoveStaleSocketDirs() {
	dirs, _ := filepath.Glob(filepath.Join(socketRoot(), "run-*"))
	for _, dir := range dirs {
		lock, err := os.Open(filepath.Join(dir, ".lock"))
		if err != nil {
			continue // just made, not locked yet; or already gone
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(dir)
		}
		lock.Close()
	}
}
