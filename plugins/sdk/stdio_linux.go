package sdk

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// stdioDrainLimit bounds the wait for the plugin's output to be relayed.
const stdioDrainLimit = 250 * time.Millisecond

// drainStdio waits until what the author printed has left the pipes that
// go-plugin relays stdout and stderr through, so that the last lines a
// component prints before its Run returns reach the host before the host
// ends the process. TIOCINQ (FIONREAD) counts the bytes still in a pipe.
func drainStdio(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		for time.Now().Before(deadline) {
			n, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCINQ)
			if err != nil || n == 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
}
