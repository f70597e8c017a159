//go:build !linux

package sdk

import "time"

// stdioDrainLimit bounds the wait for the plugin's output to be relayed.
const stdioDrainLimit = 250 * time.Millisecond

// drainStdio gives go-plugin a moment to relay the last lines printed;
// elsewhere than Linux the pipes cannot be asked how full they are.
func drainStdio(limit time.Duration) { time.Sleep(limit / 10) }
