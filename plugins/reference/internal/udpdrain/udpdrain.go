// Package udpdrain reads what a stopped UDP server's socket already holds,
// so that a datagram delivered just before the stop is counted whatever the
// timing. The reference ping and heartbeat servers share it.
package udpdrain

import (
	"fmt"
	"net"
	"time"
)

const (
	// Idle is how long the socket must stay empty for the drain to end.
	Idle = 5 * time.Millisecond
	// Max bounds the drain: a peer may still be sending.
	Max = 250 * time.Millisecond
)

// Drain calls read, which reads from conn and handles what it read, until
// the socket has been empty for Idle (read fails on its deadline), for at
// most Max. Its error is a deadline that could not be set.
func Drain(conn *net.UDPConn, read func() error) error {
	for end := time.Now().Add(Max); time.Now().Before(end); {
		if err := conn.SetReadDeadline(time.Now().Add(Idle)); err != nil {
			return fmt.Errorf("set read deadline: %w", err)
		}
		if err := read(); err != nil {
			return nil // nothing more queued
		}
	}
	return nil
}
