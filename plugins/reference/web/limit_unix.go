//go:build unix

package web

import "syscall"

// openFileLimit is the process's soft limit on open descriptors, 0 if
// unknown.
func openFileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return lim.Cur
}
