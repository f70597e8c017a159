package student

import "math/rand/v2"

// newRandom returns a seeded source of numbers in [0, 1).
func newRandom(seed int64) func() float64 {
	r := rand.New(rand.NewPCG(uint64(seed), 1))
	return r.Float64
}
