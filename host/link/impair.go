package link

import (
	"math/rand/v2"
	"time"

	"github.com/socklab/socklab/host/impair"
)

// Impairment is what a link does to one direction of traffic (package
// impair, which the lab parser reads without the links).
type Impairment = impair.Impairment

// DefaultReorderWait is how long a held-back datagram waits for later ones
// when Impairment.ReorderWait is zero.
const DefaultReorderWait = impair.DefaultReorderWait

// Direction is the way traffic crosses a link.
type Direction uint8

const (
	// ToServer is client → server.
	ToServer Direction = iota
	// ToClient is server → client.
	ToClient
)

func (d Direction) String() string {
	if d == ToServer {
		return "to-server"
	}
	return "to-client"
}

// newRand returns the random source of one flow and direction of a link, so
// that each is reproducible whatever the others do.
func newRand(seed uint64, flow int, d Direction) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(flow)<<1|uint64(d)))
}

// jittered returns Delay varied by Jitter, drawing one number whether or not
// there is jitter so that other draws stay in step.
func jittered(im *Impairment, r *rand.Rand) time.Duration {
	j := r.Float64()
	if im.Jitter == 0 {
		return im.Delay
	}
	return max(0, im.Delay+time.Duration((2*j-1)*float64(im.Jitter)))
}

// verdict is what happens to one datagram.
type verdict struct {
	drop, dup, hold bool
	delay           time.Duration
}

// decide draws the fate of the next datagram. It always takes the same
// number of draws, so the drop pattern for a seed depends on Loss alone, not
// on which other impairments are set.
func decide(im *Impairment, r *rand.Rand) verdict {
	drop, dup, hold := r.Float64() < im.Loss, r.Float64() < im.Duplicate, r.Float64() < im.Reorder
	return verdict{drop: drop, dup: dup, hold: hold, delay: jittered(im, r)}
}
