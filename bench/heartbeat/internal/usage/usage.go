// Package usage reports the resources a benchmark process used.
package usage

import (
	"syscall"
	"time"
)

// CPUSeconds is the user and system CPU time this process used so far.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
