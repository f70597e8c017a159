// Package impair describes what a link does to one direction of traffic:
// the settings a lab file gives a link (package lab) and package link
// carries out. It depends on neither, so that reading a lab file does not
// bring in the relays and the capture writer.
package impair

import (
	"errors"
	"fmt"
	"time"

	"github.com/socklab/socklab/proto/roles"
)

// DefaultReorderWait is how long a held-back datagram waits for later ones
// when Impairment.ReorderWait is zero.
const DefaultReorderWait = 100 * time.Millisecond

// Impairment is what a link does to one direction of traffic. The zero value
// is a clean link. Datagram fields apply to UDP links, stream fields to TCP
// links, and Delay and Jitter to both; package link's UDP and TCP links reject settings that
// their kind of link cannot honour rather than ignore them.
type Impairment struct {
	// Loss is the probability that a datagram is dropped.
	Loss float64
	// Duplicate is the probability that a datagram is delivered twice, the
	// copy right after the original.
	Duplicate float64
	// Reorder is the probability that a datagram is held back until
	// ReorderGap later datagrams of the same client and direction have been
	// delivered ahead of it. If they do not come within ReorderWait it is
	// delivered alone, late but in order.
	Reorder float64
	// ReorderGap is how many later datagrams overtake a held one; 0 means 1.
	ReorderGap int
	// ReorderWait bounds how long a datagram is held; 0 means DefaultReorderWait.
	ReorderWait time.Duration

	// Delay is added to every datagram, or to every chunk of a TCP stream
	// (the stream's latency; it does not limit throughput).
	Delay time.Duration
	// Jitter varies the delay uniformly within ±Jitter, never below zero.
	// Datagrams may overtake each other as a result; a TCP stream keeps its
	// order, so a chunk is never due before the one read before it.
	Jitter time.Duration

	// Bandwidth limits a TCP stream to this many bytes per second; 0 means
	// unlimited.
	Bandwidth int64
	// MaxSegment slices a TCP stream into writes of at most this many bytes,
	// so the receiver sees small reads; 0 forwards chunks as they were read.
	MaxSegment int
	// StallFor pauses a TCP stream once, after StallAfter bytes have passed.
	StallFor   time.Duration
	StallAfter int64
	// ResetAfter aborts the TCP connection with RST to both sides once this
	// many bytes have passed in this direction; 0 means never.
	ResetAfter int64
}

// IsZero reports whether im is a clean link.
func (im Impairment) IsZero() bool { return im == Impairment{} }

func (im Impairment) datagramOnly() bool {
	return im.Loss != 0 || im.Duplicate != 0 || im.Reorder != 0 || im.ReorderGap != 0 || im.ReorderWait != 0
}

func (im Impairment) streamOnly() bool {
	return im.Bandwidth != 0 || im.MaxSegment != 0 || im.StallFor != 0 || im.StallAfter != 0 || im.ResetAfter != 0
}

// Validate checks ranges, and that a link carrying t can apply every
// setting.
func (im Impairment) Validate(t roles.Transport) error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"loss", im.Loss}, {"duplicate", im.Duplicate}, {"reorder", im.Reorder}} {
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("%s probability %v is outside [0, 1]", p.name, p.v)
		}
	}
	if im.Delay < 0 || im.Jitter < 0 || im.ReorderWait < 0 || im.StallFor < 0 {
		return errors.New("durations must not be negative")
	}
	if im.ReorderGap < 0 || im.Bandwidth < 0 || im.MaxSegment < 0 || im.StallAfter < 0 || im.ResetAfter < 0 {
		return errors.New("sizes and counts must not be negative")
	}
	if t == roles.UDP && im.streamOnly() {
		return errors.New("bandwidth, max segment, stall and reset apply to TCP links only")
	}
	if t == roles.TCP && im.datagramOnly() {
		return errors.New("loss, duplication and reordering apply to UDP links only (TCP would hide them)")
	}
	return nil
}

// ReorderGapOrDefault is how many later datagrams overtake a held one.
func (im *Impairment) ReorderGapOrDefault() int {
	return max(1, im.ReorderGap)
}

// ReorderWaitOrDefault bounds how long a datagram is held.
func (im *Impairment) ReorderWaitOrDefault() time.Duration {
	if im.ReorderWait == 0 {
		return DefaultReorderWait
	}
	return im.ReorderWait
}
